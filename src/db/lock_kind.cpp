#include "db/lock_kind.hpp"

#include <optional>

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

void give_back(Connection& holder, const std::function<void()>& release) {
    try {
        release();
    } catch (const QueryError& failure) {
        if (holder.healthy()) {
            throw;
        }
        // A session's end aborts its transaction, which releases its locks, and releases its session-level
        // advisory locks too: they are "held until explicitly released or the session ends" (PostgreSQL docs
        // 13.3.5 "Advisory Locks").
        log::debug("the migration lock's session had ended, releasing the lock with it: " +
                   failure.first_line());
    }
}

std::string describe_lock_holder(Connection& observer, std::string_view condition,
                                 const std::vector<std::string>& params) {
    // $1 is pg_backend_pid() of the observer's own statement: correct through a pooler too.
    const std::string sql = fmt::format(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'), "
        "coalesce(to_char(coalesce(a.xact_start, a.backend_start) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD HH24:MI:SS') || ' UTC', '?') "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.granted AND l.pid <> pg_backend_pid() "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {} "
        "ORDER BY a.xact_start NULLS LAST LIMIT 1",
        condition);
    std::optional<Result> result;
    try {
        result = observer.exec(sql, params);
    } catch (const QueryError& failure) {
        return "another session (" + failure.error().message + ")";
    }
    if (result->rows() == 0) {
        return "another session, now gone";
    }
    return fmt::format("pid {} ({}, {}) since {}", result->text(0, 0),
                       result->text(0, 1).empty() ? "no application_name" : result->text(0, 1),
                       result->text(0, 2), result->text(0, 3));
}

}  // namespace pgentry::db
