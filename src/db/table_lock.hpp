#pragma once
// --lock=table: the lock Ecto takes, LOCK TABLE <migrations table> IN SHARE UPDATE EXCLUSIVE MODE, held
// in a transaction left open on the lock session until the end. A transaction-scoped lock pins one
// server connection of a transaction-pooling proxy, so it works through PgBouncer too.
#include <optional>

#include "db/lock_kind.hpp"
#include "db/transaction.hpp"

namespace pgentry::db {

class TableLock final : public LockKind {
public:
    // `session` tries and then holds; `worker` applies the migrations and answers the holder reports;
    // `params` opens the observer of blocks_worker().
    explicit TableLock(const LockSessions& sessions)
        : session_(sessions.session),
          worker_(sessions.worker),
          params_(sessions.params),
          table_(sessions.table) {}

    bool try_take() override;
    std::string describe_holder() override;
    void confirm() override;
    bool open_checks() override;
    bool blocks_worker() override;
    void release() override;

private:
    Connection& session_;
    Connection& worker_;
    ConnectParams params_;
    TableName table_;
    std::optional<Transaction> held_;  // the transaction on `session` that holds the lock
    int holder_pid_ = 0;  // the lock session's backend, as the server knows it (also behind a pooler)
    int worker_pid_ = 0;  // the worker's backend; 0 behind a pooler, which hides it
    // Opened at the first check: a query inside the lock's own transaction would take a snapshot, and a
    // CREATE INDEX CONCURRENTLY starting meanwhile would wait for the whole transaction to end.
    std::optional<Connection> observer_;
    bool observer_refused_ = false;  // no third session to be had (connection limits): no checks
};

}  // namespace pgentry::db
