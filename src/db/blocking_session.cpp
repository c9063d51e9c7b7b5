#include "db/blocking_session.hpp"

#include <fmt/format.h>

namespace pgentry::db {

namespace {

constexpr auto connect_timeout = std::chrono::seconds(2);

// $1: the waiting backend's pid, 0 to find it by application_name. The blocker's columns other than pid
// and application_name are NULL to a role without pg_read_all_stats that is not the blocker's own.
// Frequent calls of pg_blocking_pids "could have some impact on database performance, because it needs
// exclusive access to the lock manager's shared state for a short time" (PostgreSQL docs 9.26 "System
// Information Functions"), and so could a frequently read pg_locks (docs 54.12 "pg_locks"). Both run only
// for a waiter, a backend whose wait_event_type is 'Lock' ("waiting for a heavyweight lock", docs 28.2.3,
// "Wait Event Types"): a statement that runs long unblocked, looked at many times under a short
// lock_timeout, costs one read of pg_stat_activity a look. The two read the lock manager one after the
// other, and a short wait may end in between: the lock wanted is read first (the lateral subquery runs
// for each waiter row, before pg_blocking_pids of it), so that a row names both the table and the
// blocker, and a wait ended in between leaves no row rather than a blocker without its table.
constexpr const char* lock_wait_query = R"sql(
WITH waiter AS (
    SELECT a.pid, wanted.object FROM pg_stat_activity a
    CROSS JOIN LATERAL (
        SELECT CASE WHEN l.relation IS NOT NULL THEN '"' || c.relname || '"'
                    WHEN l.locktype = 'transactionid' THEN 'a row (transaction ' || l.transactionid || ')'
                    ELSE l.locktype END AS object
        FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
        WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) wanted
    WHERE a.wait_event_type = 'Lock'
      AND CASE WHEN $1::int <> 0 THEN a.pid = $1::int
               ELSE a.application_name = current_setting('application_name') AND a.pid <> pg_backend_pid() END
    LIMIT 1)
SELECT coalesce(w.object, ''),
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

BlockingSessions::BlockingSessions(EventLoop& loop, ConnectParams params)
    : observer_(loop, std::move(params), connect_timeout, "seeing who blocks migration statements") {}

LookAnswer BlockingSessions::look(int worker_pid) {
    // The pid is a number pgentry got from the server: inlined, as a question takes no parameters.
    std::string sql = lock_wait_query;
    for (std::size_t at = sql.find("$1"); at != std::string::npos; at = sql.find("$1")) {
        sql.replace(at, 2, std::to_string(worker_pid));
    }
    const std::optional<Result> answer = observer_.ask(sql);
    if (!answer) {
        return {};
    }
    if (answer->rows() == 0) {
        return {true, std::nullopt};
    }
    return {true, LockWait{answer->text(0, 0),
                           fmt::format("pid {}, {}, {}, {} since {}", answer->text(0, 1), answer->text(0, 2),
                                       answer->text(0, 3), answer->text(0, 4), answer->text(0, 5))}};
}

}  // namespace pgentry::db
