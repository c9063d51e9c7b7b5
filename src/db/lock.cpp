#include "db/lock.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "log/log.hpp"
#include "migrations/migration.hpp"

namespace pgentry::db {

namespace {

constexpr auto first_report = std::chrono::seconds(1);
constexpr auto report_every = std::chrono::seconds(5);
constexpr auto advisory_poll = std::chrono::milliseconds(50);
constexpr std::string_view lock_not_available = "55P03";

// The oldest session holding what we wait for, as "pid 123 (app@host, 10.0.0.5) since ...".
constexpr std::string_view holder_columns =
    "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local socket'), "
    "coalesce(to_char(coalesce(a.xact_start, a.backend_start) AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD HH24:MI:SS') || ' UTC', '?') "
    "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.granted AND l.pid <> $1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ";

std::string describe_holder(Connection& observer, int own_pid, config::LockKind kind, const TableName& table,
                            std::int64_t key) {
    std::optional<Result> result;
    try {
        if (kind == config::LockKind::table) {
            result = observer.exec(
                std::string(holder_columns) +
                    "AND l.locktype = 'relation' AND l.relation = to_regclass($2) AND l.mode IN "
                    "('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', "
                    "'AccessExclusiveLock') ORDER BY a.xact_start NULLS LAST LIMIT 1",
                {std::to_string(own_pid), table.quoted()});
        } else {
            auto bits = static_cast<std::uint64_t>(key);
            result = observer.exec(
                std::string(holder_columns) +
                    "AND l.locktype = 'advisory' AND l.classid = $2::bigint::oid "
                    "AND l.objid = $3::bigint::oid AND l.objsubid = 1 LIMIT 1",
                {std::to_string(own_pid), std::to_string(bits >> 32), std::to_string(bits & 0xffffffffU)});
        }
    } catch (const QueryError& failure) {
        return "another session (" + failure.error().message + ")";
    }
    if (result->rows() == 0) return "another session, now gone";
    return fmt::format("pid {} ({}, {}) since {}", result->text(0, 0),
                       result->text(0, 1).empty() ? "no application_name" : result->text(0, 1),
                       result->text(0, 2), result->text(0, 3));
}

[[noreturn]] void give_up(Connection& observer, int own_pid, config::LockKind kind, const TableName& table,
                          std::int64_t key, config::Duration timeout) {
    throw Error(
        exit_code::lock_timeout,
        fmt::format("gave up waiting for the migration lock on {} after {} ms (--lock-timeout): held by {}",
                    table.text(), timeout.count(), describe_holder(observer, own_pid, kind, table, key)));
}

void report(Connection& observer, int own_pid, config::LockKind kind, const TableName& table,
            std::int64_t key) {
    log::info("waiting for the migration lock held by " +
              describe_holder(observer, own_pid, kind, table, key));
}

void acquire_table(Connection& holder, Connection& observer, const TableName& table,
                   config::Duration timeout) {
    // READ COMMITTED and nothing but LOCK TABLE in this transaction: it never holds a snapshot, and
    // the server enforces the timeout, so no statement is left waiting behind a client timer.
    holder.exec("BEGIN ISOLATION LEVEL READ COMMITTED; " + holder.pinned_locals(config::Duration(0)) +
                fmt::format("SET LOCAL lock_timeout = {}", timeout.count()));
    holder.send(fmt::format("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE", table.quoted()));
    auto next_report = Clock::now() + first_report;
    try {
        while (!holder.await_result(next_report)) {
            report(observer, holder.backend_pid(), config::LockKind::table, table, 0);
            next_report = Clock::now() + report_every;
        }
    } catch (const QueryError& failure) {
        holder.exec("ROLLBACK");
        if (failure.error().sqlstate != lock_not_available) throw;
        give_up(observer, holder.backend_pid(), config::LockKind::table, table, 0, timeout);
    }
}

// Polls pg_try_advisory_lock on an idle session: a waiter blocked inside pg_advisory_lock would
// hold a snapshot for as long as it waits.
void acquire_advisory(EventLoop& loop, Connection& holder, Connection& observer, const TableName& table,
                      std::int64_t key, config::Duration timeout) {
    const auto start = Clock::now();
    auto next_report = start + first_report;
    const std::string try_lock = "SELECT pg_try_advisory_lock($1)";
    while (holder.exec(try_lock, {std::to_string(key)}).text(0, 0) != "t") {
        if (timeout.count() > 0 && Clock::now() - start >= timeout) {
            give_up(observer, holder.backend_pid(), config::LockKind::advisory, table, key, timeout);
        }
        if (Clock::now() >= next_report) {
            report(observer, holder.backend_pid(), config::LockKind::advisory, table, key);
            next_report = Clock::now() + report_every;
        }
        if (loop.sleep_until(Clock::now() + advisory_poll) == EventLoop::Wake::stop_signal) {
            throw Interrupted(*loop.stop_signal());
        }
    }
}

}  // namespace

std::int64_t Lock::advisory_key(const std::string& database, const TableName& table) {
    std::string digest = migrations::sha256_hex(database + "/" + table.text());
    return static_cast<std::int64_t>(std::stoull(digest.substr(0, 16), nullptr, 16));
}

Lock Lock::acquire(Connection& session, Connection& worker, const TableName& table, config::LockKind kind,
                   config::Duration timeout) {
    const auto start = Clock::now();
    std::int64_t key = 0;
    Connection* holder = &session;
    if (kind == config::LockKind::table) {
        acquire_table(session, worker, table, timeout);
    } else {
        key = advisory_key(worker.database(), table);
        holder = &worker;
        acquire_advisory(worker.loop(), worker, session, table, key, timeout);
    }
    log::debug(
        fmt::format("took the migration lock in {} ms",
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
    return Lock(*holder, kind, key);
}

void Lock::confirm() const {
    // An advisory lock lives in the session that applies: if that answers, the lock is held.
    if (kind_ != config::LockKind::table || !holder_) return;
    try {
        holder_->exec("SELECT 1");
    } catch (const QueryError& failure) {
        throw Error(exit_code::migration_failed,
                    "lost the migration lock, its session ended (" +
                        failure.error().message.substr(0, failure.error().message.find('\n')) +
                        "): the migration in flight was rolled back");
    }
    if (!holder_->in_transaction()) {
        throw Error(
            exit_code::migration_failed,
            "lost the migration lock, its transaction ended: the migration in flight was rolled back");
    }
}

Lock::Lock(Lock&& other) noexcept : holder_(other.holder_), kind_(other.kind_), key_(other.key_) {
    other.holder_ = nullptr;
}

Lock::~Lock() {
    if (!holder_) return;
    try {
        release();
    } catch (const std::exception& failure) {
        // The session closing releases it anyway; say why it did not go now.
        log::debug(std::string("releasing the migration lock: ") + failure.what());
    }
}

void Lock::release() {
    if (!holder_) return;
    Connection* holder = std::exchange(holder_, nullptr);
    if (kind_ == config::LockKind::table) {
        holder->exec("ROLLBACK");  // the lock transaction wrote nothing
    } else {
        holder->exec("SELECT pg_advisory_unlock($1)", {std::to_string(key_)});
    }
    log::debug("released the migration lock");
}

}  // namespace pgentry::db
