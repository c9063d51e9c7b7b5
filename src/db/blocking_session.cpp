#include "db/blocking_session.hpp"

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr auto connect_timeout = std::chrono::seconds(2);
constexpr auto answer_timeout = std::chrono::milliseconds(500);

// $1: the waiting backend's pid, 0 to find it by application_name. The blocker's columns other than pid
// and application_name are NULL to a role without pg_read_all_stats that is not the blocker's own.
constexpr const char* lock_wait_query = R"sql(
WITH waiter AS (
    SELECT a.pid FROM pg_stat_activity a
    WHERE CASE WHEN $1::int <> 0 THEN a.pid = $1::int
               ELSE a.application_name = current_setting('application_name') AND a.pid <> pg_backend_pid()
                    AND a.wait_event_type = 'Lock' END
    LIMIT 1),
wanted AS (
    SELECT CASE WHEN l.relation IS NOT NULL THEN '"' || c.relname || '"'
                WHEN l.locktype = 'transactionid' THEN 'a row (transaction ' || l.transactionid || ')'
                ELSE l.locktype END AS object
    FROM pg_locks l JOIN waiter w ON l.pid = w.pid LEFT JOIN pg_class c ON c.oid = l.relation
    WHERE NOT l.granted LIMIT 1)
SELECT coalesce((SELECT object FROM wanted), ''),
       b.pid,
       CASE WHEN coalesce(b.application_name, '') = '' THEN 'no application_name' ELSE b.application_name END,
       coalesce(host(b.client_addr), CASE WHEN b.state IS NULL THEN 'address not visible' ELSE 'local socket' END),
       coalesce(b.state, 'state not visible to this role'),
       coalesce(to_char(coalesce(b.xact_start, b.state_change, b.backend_start) AT TIME ZONE 'UTC',
                        'HH24:MI:SS') || ' UTC', 'an unknown time')
FROM waiter w
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocking(pid)
JOIN pg_stat_activity b ON b.pid = blocking.pid
ORDER BY b.wait_event_type IS NOT DISTINCT FROM 'Lock', b.xact_start NULLS LAST
LIMIT 1
)sql";

}  // namespace

std::optional<LockWait> BlockingSessions::look(int worker_pid) {
    if (refused_) {
        return std::nullopt;
    }
    try {
        if (!observer_) {
            observer_.emplace(Connection::open(loop_, params_, Clock::now() + connect_timeout));
        }
        // The pid is a number pgentry got from the server: inlined, as send() takes no parameters.
        std::string sql = lock_wait_query;
        for (std::size_t at = sql.find("$1"); at != std::string::npos; at = sql.find("$1")) {
            sql.replace(at, 2, std::to_string(worker_pid));
        }
        observer_->send(sql);
        auto answer = observer_->await_result(Clock::now() + answer_timeout);
        if (!answer) {
            // A transaction-pooling proxy with every server connection taken (by the lock and the
            // migration): closing drops the queued query.
            observer_.reset();
            refused_ = true;
            log::debug("no server connection to spare for seeing who blocks migration statements");
            return std::nullopt;
        }
        if (answer->rows() == 0) {
            return std::nullopt;
        }
        return LockWait{answer->text(0, 0),
                        fmt::format("pid {}, {}, {}, {} since {}", answer->text(0, 1), answer->text(0, 2),
                                    answer->text(0, 3), answer->text(0, 4), answer->text(0, 5))};
    } catch (const ConnectError& failure) {
        refused_ = true;
        log::debug(std::string("no session to see who blocks migration statements: ") + failure.what());
    } catch (const QueryError& failure) {
        observer_.reset();
        log::debug(std::string("seeing who blocks a migration statement: ") + failure.what());
    }
    return std::nullopt;
}

}  // namespace pgentry::db
