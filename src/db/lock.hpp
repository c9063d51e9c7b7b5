#pragma once
// Stage 4's guard: one migrator at a time per database and table (SPEC.md "The migrations table and
// the lock"). Each kind lives in its own file (table_lock, advisory_lock) and is named in lock_kinds.cpp;
// waiting is the shared poll loop of lock_poll, which never blocks inside the server.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "db/connection.hpp"
#include "db/history.hpp"
#include "db/lock_kind.hpp"

namespace pgentry::db {

// exec_watched's error for a statement that waits for pgentry's own lock: waiting again never helps, so
// the lock-timeout retries (db/ddl_retry.hpp) let it through.
class OwnLockWait : public QueryError {
public:
    using QueryError::QueryError;
};

// What Lock::exec_watched does while a statement runs. At each check (the first after `first`, then every
// `every`) it asks whether the statement waits for pgentry's own lock, then calls `look` (when given).
// A check that must catch a lock wait has to come before the wait's lock_timeout ends it: the caller that
// knows the timeout sets the schedule (db/ddl_retry.cpp). The default, 200 ms then every second, leaves
// quick statements without any check, and the checks' connection unopened until the first.
struct StatementWatch {
    Clock::duration first = std::chrono::milliseconds(200);
    Clock::duration every = std::chrono::seconds(1);
    bool open_early = false;  // open the checks' connection before the statement is sent
    std::function<void()> look;
};

class Lock {
public:
    // The lock of kind (--lock's spelling: "table", "advisory") on sessions.table. `sessions.session` is
    // idle and `sessions.worker` will apply the migrations. --lock=table is a transaction on `session`,
    // as the worker commits each migration on its own. --lock=advisory is held by `worker` itself: it
    // then ends only with the session that applies, after the server aborted its statement (a killed
    // pgentry's idle session would otherwise let the next instance in a second early).
    // While waiting it logs who holds the lock every few seconds. Throws Error(75) when `timeout`
    // (0: none) passes, Error(64) for --lock=advisory through a pooler,
    // Interrupted on a stop signal. `sessions.params` opens, when a statement runs long, the session that
    // watches it (exec_watched).
    // still_needed (when given) is asked after each refused try; when it says no, waiting ends and nullopt
    // is returned: a replica that finds everything applied by another stops queueing for the lock (16
    // replicas would otherwise take it one after another only to find nothing to do).
    static std::optional<Lock> acquire(const LockSessions& sessions, std::string_view kind,
                                       std::chrono::milliseconds timeout,
                                       const std::function<bool()>& still_needed = {});

    Lock(Lock&& other) noexcept = default;
    Lock& operator=(Lock&&) = delete;
    ~Lock();  // releases on every error path; a lock left on a live session blocks every later boot

    void release();

    // Error(70) when the lock's session has ended (terminated, its server restarted), Error(64) when
    // an advisory lock turns out not to guard the worker: called before each migration commits, so
    // that none commits unguarded.
    void confirm() const;

    // Runs one migration statement on `worker` (exec's shape). A statement that waits for this lock's
    // own session (VACUUM or ANALYZE of the whole database, under --lock=table) would wait forever: it
    // is cancelled and reported as QueryError 55P03 saying why and what to do. Checked as `watch` says.
    // copy_rows: the inline data of a COPY ... FROM STDIN statement (Connection::send).
    Result exec_watched(Connection& worker, const std::string& statement,
                        std::optional<std::string_view> copy_rows = std::nullopt,
                        const StatementWatch& watch = {}) const;

private:
    Lock(std::unique_ptr<LockKind> kind, std::string table)
        : kind_(std::move(kind)), table_(std::move(table)) {}

    std::unique_ptr<LockKind> kind_;
    std::string table_;  // as given, for messages
};

}  // namespace pgentry::db
