#include "db/advisory_lock.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "db/transaction.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

// A handful of checks tells transaction pooling from session pooling almost surely: each one that
// finds the lock's server connection shared, or the worker moved off it, is proof.
constexpr int pooling_probes = 3;
constexpr auto unlock_reach_timeout = std::chrono::seconds(3);
constexpr auto unlock_retry = std::chrono::milliseconds(10);

// The one configuration error (64) the db layer raises after waiting: --lock=advisory cannot guard
// anything through a transaction-pooling proxy, which only a connection shows.
[[noreturn]] void refuse_pooling() {
    throw Error(exit_code::usage,
                "--lock=advisory cannot work through a transaction-pooling proxy; use --lock=table");
}

}  // namespace

AdvisoryLock::AdvisoryLock(const LockSessions& sessions)
    : session_(sessions.session),
      worker_(sessions.worker),
      key_(key(sessions.worker.database(), sessions.table)) {}

std::int64_t AdvisoryLock::key(const std::string& database, const TableName& table) {
    std::string digest = sha256_hex(database + "/" + table.text());
    return static_cast<std::int64_t>(std::stoull(digest.substr(0, 16), nullptr, 16));
}

bool AdvisoryLock::try_take() {
    Result taken = worker_.exec("SELECT pg_try_advisory_lock($1), pg_backend_pid()", {std::to_string(key_)});
    if (taken.text(0, 0) != "t") {
        return false;
    }
    held_ = true;
    backend_ = static_cast<int>(taken.integer(0, 1));
    // A direct connection reports its server's pid; a pooler reports one of its own making.
    proxied_ = backend_ != worker_.backend_pid();
    if (proxied_) {
        refuse_transaction_pooling();
    }
    return true;
}

void AdvisoryLock::refuse_transaction_pooling() {
    for (int probe = 0; probe < pooling_probes; ++probe) {
        // A transaction pins a server connection in any pooling mode. In session pooling the session's
        // is never the worker's, and the worker keeps its own; in transaction pooling the session is
        // often handed the lock's server connection (reused last in, first out), or the worker another.
        Transaction pinning(session_, {}, "READ COMMITTED");
        const bool shared = session_.exec("SELECT pg_backend_pid()").integer(0, 0) == backend_;
        if (shared) {
            // The session sits on the lock's server connection right now: release it there.
            held_ = session_.exec("SELECT pg_advisory_unlock($1)", {std::to_string(key_)}).text(0, 0) != "t";
        }
        const bool moved = !shared && worker_.exec("SELECT pg_backend_pid()").integer(0, 0) != backend_;
        pinning.rollback();
        if (shared || moved) {
            refuse();
        }
    }
}

void AdvisoryLock::refuse() {
    release();
    refuse_pooling();
}

std::string AdvisoryLock::describe_holder() {
    const auto bits = static_cast<std::uint64_t>(key_);
    return describe_lock_holder(session_,
                                "l.locktype = 'advisory' AND l.classid = $1::bigint::oid "
                                "AND l.objid = $2::bigint::oid AND l.objsubid = 1",
                                {std::to_string(bits >> 32), std::to_string(bits & 0xffffffffU)});
}

void AdvisoryLock::confirm() {
    // Directly connected, the lock lives in the session that applies: if that answers, it is held.
    // Behind a pooler, the statement in flight must still run on the lock's server connection.
    if (!proxied_) {
        return;
    }
    if (worker_.exec("SELECT pg_backend_pid()").integer(0, 0) != backend_) {
        refuse();
    }
}

void AdvisoryLock::release() {
    if (!held_) {
        return;
    }
    // Behind a pooler a plain unlock could land on a server connection where another client holds
    // the same key, and release theirs.
    if (proxied_) {
        return release_on_holder_backend();
    }
    held_ = false;
    if (worker_.exec("SELECT pg_advisory_unlock($1)", {std::to_string(key_)}).text(0, 0) != "t") {
        // The unlock reached another server connection than the lock's (sqlx#1871's leak).
        refuse_pooling();
    }
}

void AdvisoryLock::release_on_holder_backend() {
    // A pooler hands out idle server connections, so the lock's one comes round again soon; each try
    // unlocks only there (elsewhere the same key may be another client's).
    const std::string unlock_there =
        "SELECT CASE WHEN pg_backend_pid() = $2::int THEN pg_advisory_unlock($1) END";
    const std::vector<std::string> params{std::to_string(key_), std::to_string(backend_)};
    const auto deadline = Clock::now() + unlock_reach_timeout;
    while (held_ && Clock::now() < deadline) {
        for (Connection* connection : {&session_, &worker_}) {
            if (held_ && connection->exec(unlock_there, params).text(0, 0) == "t") {
                held_ = false;
            }
        }
        if (held_ &&
            worker_.loop().sleep_until(Clock::now() + unlock_retry) == EventLoop::Wake::stop_signal) {
            break;
        }
    }
    if (held_) {
        log::warn(
            fmt::format("the advisory lock stays held by server connection pid {} of the pooler; "
                        "SELECT pg_terminate_backend({}) frees it",
                        backend_, backend_));
        held_ = false;
    }
}

}  // namespace pgentry::db
