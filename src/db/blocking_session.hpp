#pragma once
// Who keeps a migration statement from its lock, for the warning of each retry (SPEC.md "Rolling
// updates": the table, and the session in the way by backend pid, application_name, client address,
// state and since when; never its query text, which may hold data).
//
// Looked up while the statement waits, from a session of its own: once lock_timeout has cancelled the
// statement, the server no longer knows which lock it wanted (the 55P03 error names no table) nor whom
// it queued behind (pg_blocking_pids returns "an empty array if there are none", PostgreSQL docs 9.26
// "System Information Functions", and a backend that no longer waits has none), so a look after the
// timeout would find nothing. When to look, so that a look falls inside each wait, is the caller's:
// DdlSection knows the lock_timeout. The lock session cannot ask: a query in its transaction would take a
// snapshot that a CREATE INDEX CONCURRENTLY then waits for. That session is an observer session
// (observer_session.hpp): idle between looks, it is pinned against the role's and database's settings that
// would end it (idle_session_timeout), and losing it costs a look, never the migration.
#include <optional>
#include <string>

#include "db/connection.hpp"
#include "db/observer_session.hpp"

namespace pgentry::db {

struct LockWait {
    std::string object;   // "\"users\"", "a row (transaction 1234)", or "" when not known
    std::string blocker;  // "pid 4242, app@web-1, 10.0.1.7, idle in transaction since 12:00:03 UTC"
};

// One look's finding.
struct LookAnswer {
    bool answered = false;         // false: no session to look from, or no answer in time
    std::optional<LockWait> wait;  // the session the statement waited behind, when it waited
};

class BlockingSessions {
public:
    BlockingSessions(EventLoop& loop, ConnectParams params);

    // What the backend worker_pid (0: unknown behind a pooler; then the session of pgentry's
    // application_name that waits for a lock) waits for and the first session in its way, the one not
    // waiting itself first. Not answered when the look failed (no connection to spare, no answer within
    // half a second: the migration must not wait for its observer; or the observer's session had ended, and
    // the next look opens another: observer_session.hpp). Cheap while the statement does not wait for a
    // lock: one read of pg_stat_activity. Opens its session on first use; Interrupted on a stop signal, no
    // other exception.
    LookAnswer look(int worker_pid);

    // Opens now, rather than at the first look, the session looks ask on; false when none is to be had
    // (looks are then not answered). Interrupted on a stop signal, no other exception.
    bool open() { return observer_.open(); }

private:
    ObserverSession observer_;
};

}  // namespace pgentry::db
