#pragma once
// Stage 4's guard: one migrator at a time per database and table (SPEC.md "The migrations table
// and the lock"). Waiting never holds a snapshot, so a holder's CREATE INDEX CONCURRENTLY does not
// wait for the waiters (golang-migrate#960, flyway#1654).
#include <cstdint>
#include <optional>

#include "config/options.hpp"
#include "db/connection.hpp"
#include "db/history.hpp"

namespace pgentry::db {

class Lock {
public:
    // `session` is idle and `worker` will apply the migrations. --lock=table is a transaction on
    // `session`, as the worker commits each migration on its own. --lock=advisory is held by `worker`
    // itself: it then ends only with the session that applies, after the server aborted its statement
    // (a killed pgentry's idle session would otherwise let the next instance in a second early).
    // While waiting it logs who holds the lock every few seconds. Throws Error(75) when `timeout`
    // (0: none) passes, Interrupted on a stop signal.
    static Lock acquire(Connection& session, Connection& worker, const TableName& table,
                        config::LockKind kind, config::Duration timeout);

    Lock(Lock&& other) noexcept;
    Lock& operator=(Lock&&) = delete;
    ~Lock();  // releases on every error path; a lock left on a live session blocks every later boot

    void release();

    // Error(70) when the lock's session has ended (terminated, its server restarted): called before each
    // migration commits, so that none commits unguarded.
    void confirm() const;

    // The advisory key: the first 8 bytes of SHA-256("<database>/<table>"), big-endian.
    static std::int64_t advisory_key(const std::string& database, const TableName& table);

private:
    Lock(Connection& holder, config::LockKind kind, std::int64_t key)
        : holder_(&holder), kind_(kind), key_(key) {}

    Connection* holder_;
    config::LockKind kind_;
    std::int64_t key_;
};

}  // namespace pgentry::db
