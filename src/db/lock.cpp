#include "db/lock.hpp"

#include <fmt/format.h>

#include "db/lock_poll.hpp"
#include "log/log.hpp"

namespace pgentry::db {

std::optional<Lock> Lock::acquire(const LockSessions& sessions, std::string_view kind,
                                  std::chrono::milliseconds timeout,
                                  const std::function<bool()>& still_needed) {
    Lock lock(make_lock_kind(kind, sessions), sessions.table.text());
    if (!poll_for_lock(*lock.kind_, "the migration lock", sessions.worker.loop(), sessions.table, timeout,
                       still_needed)) {
        return std::nullopt;
    }
    return lock;
}

void Lock::confirm() const {
    if (kind_) {
        kind_->confirm();
    }
}

Result Lock::exec_watched(Connection& worker, const std::string& statement,
                          std::optional<std::string_view> copy_rows, const StatementWatch& watch) const {
    if (kind_ && watch.open_early) {
        kind_->open_checks();
    }
    worker.send(statement, copy_rows);
    auto check_at = Clock::now() + watch.first;
    for (;;) {
        if (auto result = worker.await_result(check_at)) {
            return std::move(*result);
        }
        if (kind_ && kind_->blocks_worker()) {
            worker.cancel_and_drain();
            throw OwnLockWait(ServerError{
                "ERROR", std::string(lock_not_available),
                fmt::format("the statement waits for pgentry's own lock on {} and would wait forever "
                            "(VACUUM or ANALYZE without table names also processes that table)",
                            table_),
                "", "name the tables (e.g. VACUUM ANALYZE my_table), or run with --lock=advisory",
                std::nullopt, ""});
        }
        if (watch.look) {
            watch.look();
        }
        check_at = Clock::now() + watch.every;
    }
}

Lock::~Lock() {
    if (!kind_) {
        return;
    }
    try {
        release();
    } catch (const std::exception& failure) {
        // The session closing releases it anyway; say why it did not go now.
        log::debug(std::string("releasing the migration lock: ") + failure.what());
    }
}

void Lock::release() {
    if (!kind_) {
        return;
    }
    kind_->release();
    kind_.reset();
    log::debug("released the migration lock");
}

}  // namespace pgentry::db
