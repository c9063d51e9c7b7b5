#include "db/table_lock.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/transaction.hpp"

namespace pgentry::db {

namespace {

constexpr auto observer_connect_timeout = std::chrono::seconds(5);

}  // namespace

TableLock::TableLock(const LockSessions& sessions)
    : session_(sessions.session),
      worker_(sessions.worker),
      table_(sessions.table),
      observer_(sessions.worker.loop(), sessions.params, observer_connect_timeout,
                "watching the migration statements for waits on the lock") {}

bool TableLock::try_take() {
    // One round trip when taken, two when refused (the ROLLBACK): each of 16 waiters tries every 25-75 ms
    // while the holder migrates, so every trip counts (bench/cases/04). READ COMMITTED and
    // statement_timeout = 0 whatever the role's defaults (an ALTER ROLE ... SET statement_timeout would end
    // the held lock's later checks); the SET LOCALs end with the transaction, so nothing leaks into a pooled
    // server connection.
    std::optional<Transaction> attempt = begin_if_lock_available(
        session_,
        {{"statement_timeout", "0"}, {"lock_timeout", "0"}, {"idle_in_transaction_session_timeout", "0"}},
        "READ COMMITTED",
        fmt::format("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE NOWAIT; SELECT pg_backend_pid()",
                    table_.quoted()));
    if (!attempt) {
        return false;
    }
    holder_pid_ = static_cast<int>(attempt->first_result().integer(0, 0));
    held_.emplace(std::move(*attempt));
    worker_pid_ = worker_.direct_backend_pid();  // for blocks_worker(); 0 behind a pooler
    return true;
}

std::string TableLock::describe_holder() {
    return describe_lock_holder(worker_,
                                "l.locktype = 'relation' AND l.relation = to_regclass($1) AND l.mode IN "
                                "('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', "
                                "'ExclusiveLock', 'AccessExclusiveLock')",
                                {table_.quoted()});
}

void TableLock::confirm() {
    try {
        session_.exec("SELECT 1");
    } catch (const QueryError& failure) {
        throw Error(exit_code::migration_failed, "lost the migration lock, its session ended (" +
                                                     failure.first_line() +
                                                     "): the migration in flight was rolled back");
    }
    if (!session_.in_transaction()) {
        throw Error(
            exit_code::migration_failed,
            "lost the migration lock, its transaction ended: the migration in flight was rolled back");
    }
}

bool TableLock::open_checks() {
    return observer_.open();
}

bool TableLock::blocks_worker() {
    // Behind a pooler the worker's backend is found by its application_name: other pgentry instances
    // never wait on this lock (they try with NOWAIT). pg_blocking_pids takes the lock manager's shared
    // state for a moment (PostgreSQL docs 9.26, "System Information Functions"): asked only while the
    // worker waits for a lock, so that checking a statement that runs long unblocked, as often as a short
    // lock_timeout needs (DdlSection), costs one read of pg_stat_activity. No answer (no session, none in
    // time, the session ended): not seen waiting, and the next check asks again.
    const std::optional<Result> answer = observer_.ask(
        fmt::format("SELECT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE {} "
                    "AND CASE WHEN a.wait_event_type = 'Lock' THEN {} = ANY (pg_blocking_pids(a.pid)) END)",
                    worker_pid_ != 0 ? fmt::format("a.pid = {}", worker_pid_)
                                     : "a.application_name = current_setting('application_name')",
                    holder_pid_));
    return answer && answer->text(0, 0) == "t";
}

void TableLock::release() {
    observer_.close();
    if (!held_) {
        return;
    }
    Transaction held = std::move(*held_);
    held_.reset();
    give_back(session_, [&held] { held.rollback(); });  // the lock transaction wrote nothing
}

}  // namespace pgentry::db
