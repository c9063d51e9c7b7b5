#pragma once
// Who keeps a migration statement from its lock, for the warning of each retry (SPEC.md "Rolling
// updates": the table, and the session in the way by backend pid, application_name, client address,
// state and since when; never its query text, which may hold data).
//
// Looked up while the statement waits, from a session of its own: once lock_timeout has cancelled the
// statement, the server no longer knows which lock it wanted (the 55P03 error names no table) nor whom
// it queued behind (pg_blocking_pids of an idle backend is empty). The lock session cannot ask: a query
// in its transaction would take a snapshot that a CREATE INDEX CONCURRENTLY then waits for.
#include <optional>
#include <string>

#include "db/connection.hpp"

namespace pgentry::db {

struct LockWait {
    std::string object;   // "\"users\"", "a row (transaction 1234)", or "" when not known
    std::string blocker;  // "pid 4242, app@web-1, 10.0.1.7, idle in transaction since 12:00:03 UTC"
};

class BlockingSessions {
public:
    BlockingSessions(EventLoop& loop, ConnectParams params) : loop_(loop), params_(std::move(params)) {}

    // What the backend worker_pid (0: unknown behind a pooler; then the session of pgentry's
    // application_name that waits for a lock) waits for and the first session in its way, the one not
    // waiting itself first. nullopt when it does not wait or the look failed (no connection to spare,
    // no answer within half a second: the migration must not wait for its observer). Opens its session
    // on first use; never throws a QueryError or ConnectError.
    std::optional<LockWait> look(int worker_pid);

private:
    EventLoop& loop_;
    ConnectParams params_;
    std::optional<Connection> observer_;
    bool refused_ = false;  // no session to be had: do not try again in this run
};

}  // namespace pgentry::db
