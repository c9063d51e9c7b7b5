#pragma once
// --lock=table: the lock Ecto takes, LOCK TABLE <migrations table> IN SHARE UPDATE EXCLUSIVE MODE, held
// in a transaction left open on the lock session until the end. A transaction-scoped lock pins one
// server connection of a transaction-pooling proxy, so it works through PgBouncer too.
//
// A statement of the worker's that waits for this lock (VACUUM or ANALYZE of the whole database) would wait
// forever: blocks_worker() asks on an observer session (observer_session.hpp), idle between checks, pinned
// against the role's and database's settings that would end it (idle_session_timeout), and whose loss costs
// a check, never the migration.
#include <optional>

#include "db/lock_kind.hpp"
#include "db/observer_session.hpp"
#include "db/transaction.hpp"

namespace pgentry::db {

class TableLock final : public LockKind {
public:
    // `session` tries and then holds; `worker` applies the migrations and answers the holder reports;
    // `params` opens the observer of blocks_worker().
    explicit TableLock(const LockSessions& sessions);

    bool try_take() override;
    std::string describe_holder() override;
    void confirm() override;
    bool open_checks() override;
    bool blocks_worker() override;
    void release() override;

private:
    Connection& session_;
    Connection& worker_;
    TableName table_;
    std::optional<Transaction> held_;  // the transaction on `session` that holds the lock
    int holder_pid_ = 0;  // the lock session's backend, as the server knows it (also behind a pooler)
    int worker_pid_ = 0;  // the worker's backend; 0 behind a pooler, which hides it
    // Opened at the first check: a query inside the lock's own transaction would take a snapshot, and a
    // CREATE INDEX CONCURRENTLY starting meanwhile would wait for the whole transaction to end.
    ObserverSession observer_;
};

}  // namespace pgentry::db
