#include "db/advisory_lock.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "common/sha256.hpp"

namespace pgentry::db {

namespace {

// The one configuration error (64) the db layer raises after waiting: only a connection shows the pooler.
[[noreturn]] void refuse_pooling() {
    throw Error(exit_code::usage,
                "--lock=advisory cannot work through a transaction-pooling proxy; use --lock=table (a pooler "
                "reports another backend pid than its server's, and whether it pools by transaction or by "
                "session cannot be told for sure, so the advisory lock is refused through any pooler)");
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
    if (!checked_direct_) {
        if (worker_.direct_backend_pid() == 0) {
            refuse_pooling();
        }
        checked_direct_ = true;
    }
    held_ = worker_.exec("SELECT pg_try_advisory_lock($1)", {std::to_string(key_)}).text(0, 0) == "t";
    return held_;
}

std::string AdvisoryLock::describe_holder() {
    const auto bits = static_cast<std::uint64_t>(key_);
    return describe_lock_holder(session_,
                                "l.locktype = 'advisory' AND l.classid = $1::bigint::oid "
                                "AND l.objid = $2::bigint::oid AND l.objsubid = 1",
                                {std::to_string(bits >> 32), std::to_string(bits & 0xffffffffU)});
}

void AdvisoryLock::release() {
    if (!held_) {
        return;
    }
    held_ = false;
    give_back(worker_, [this] { worker_.exec("SELECT pg_advisory_unlock($1)", {std::to_string(key_)}); });
}

}  // namespace pgentry::db
