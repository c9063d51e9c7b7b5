#include "db/ddl_retry.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/jitter.hpp"
#include "log/log.hpp"
#include "migrations/index_statement.hpp"

namespace pgentry::db {

namespace {

constexpr std::string_view lock_not_available = "55P03";
constexpr auto first_pause = std::chrono::milliseconds(500);
constexpr auto longest_pause = std::chrono::seconds(10);

// A transactional section's lock timeout on its way out of db::apply (which rolls back) to retrying().
struct LockTimedOut {
    std::string description;
};

// As the options are written: 5s, 500ms, 2m, 1h.
std::string spelled(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms != 0 && ms % 3'600'000 == 0) {
        return fmt::format("{}h", ms / 3'600'000);
    }
    if (ms != 0 && ms % 60'000 == 0) {
        return fmt::format("{}m", ms / 60'000);
    }
    if (ms % 1000 == 0) {
        return fmt::format("{}s", ms / 1000);
    }
    return fmt::format("{}ms", ms);
}

// About 0.5 s doubling per retry, at most 10 s, spread by +-20% so that pgentry does not come back in
// step with a periodic blocker.
Clock::duration pause_before(int retry) {
    const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<Clock::duration>(first_pause * (1LL << std::min(retry - 1, 5)), longest_pause));
    return std::min<Clock::duration>(jittered(base * 4 / 5, base * 6 / 5), longest_pause);
}

}  // namespace

DdlSection::DdlSection(DdlGuard& guard, Connection& worker, const Lock& lock,
                       const migrations::Migration& migration, const migrations::Section& section,
                       const std::vector<migrations::Statement>& statements)
    : guard_(guard),
      worker_(worker),
      lock_(lock),
      migration_(migration),
      transaction_(section.transaction),
      own_lock_timeout_(std::any_of(statements.begin(), statements.end(), [](const auto& statement) {
          return migrations::sets_lock_timeout(statement.text);
      })) {
    // The backend the statements run on, for pg_blocking_pids: in a transaction that is the server
    // connection the transaction holds, also behind a pooler.
    if (transaction_) {
        const std::string set = own_lock_timeout_ ? ""
                                                  : fmt::format("SET LOCAL lock_timeout = {}; ",
                                                                guard_.policy_.lock_timeout.count());
        worker_pid_ = static_cast<int>(worker_.exec(set + "SELECT pg_backend_pid()").integer(0, 0));
        return;
    }
    worker_pid_ = worker_.direct_backend_pid();
    session_sets_ = worker_pid_ != 0;
    if (!session_sets_ && !own_lock_timeout_) {
        log::warn(
            fmt::format("{}: --ddl-lock-timeout is not applied to a transaction:false section through a "
                        "pooler: the setting could stay on the server connection the application gets "
                        "next",
                        migration_.path.string()));
    }
}

void DdlSection::run(std::string_view statement, std::optional<std::string_view> copy_rows) {
    const std::string text(statement);
    if (transaction_) {
        return attempt(text, copy_rows, true);
    }
    const migrations::IndexStatement index = migrations::read_index_statement(statement);
    const bool exempt = migrations::runs_without_lock_timeout(index);
    if (session_sets_ && !own_lock_timeout_) {
        worker_.exec(fmt::format("SET lock_timeout = {}", exempt ? 0 : guard_.policy_.lock_timeout.count()));
    }
    indexes_.before(worker_, lock_, index, fmt::format("{} {}", migration_.version, migration_.name));
    for (;;) {
        try {
            attempt(text, copy_rows, !exempt || own_lock_timeout_);
            break;
        } catch (const LockTimedOut& timed_out) {
            // Autocommit: nothing of the statement stayed, the ones before it are committed.
            guard_.after_timeout(migration_, timed_out.description, false);
        }
    }
    indexes_.after(worker_, index);
}

void DdlSection::attempt(const std::string& statement, std::optional<std::string_view> copy_rows,
                         bool guarded) {
    guard_.seen_.reset();
    const auto look = [this] {
        if (auto seen = guard_.blocking_.look(worker_pid_)) {
            guard_.seen_ = std::move(seen);
        }
    };
    try {
        if (guarded) {
            lock_.exec_watched(worker_, statement, copy_rows, look);
        } else {
            lock_.exec_watched(worker_, statement, copy_rows);
        }
    } catch (const OwnLockWait&) {
        throw;  // waiting again would not help: it says what to change
    } catch (const QueryError& failure) {
        // A BEGIN of the section's own left a transaction open: retrying one statement of it would be wrong.
        if (failure.error().sqlstate != lock_not_available || (!transaction_ && worker_.in_transaction())) {
            throw;
        }
        throw LockTimedOut{guard_.describe(migration_, own_lock_timeout_, guard_.seen_)};
    }
}

void DdlSection::finish() {
    if (!transaction_) {
        indexes_.require_valid(worker_, migration_);
    }
}

void DdlGuard::retrying(const migrations::Migration& migration, const std::function<void()>& apply_once) {
    first_timeout_.reset();
    retries_ = 0;
    for (;;) {
        try {
            return apply_once();
        } catch (const LockTimedOut& timed_out) {
            after_timeout(migration, timed_out.description, true);
        }
    }
}

std::string DdlGuard::describe(const migrations::Migration& migration, bool own_lock_timeout,
                               const std::optional<LockWait>& seen) const {
    const std::string object = seen && !seen->object.empty() ? " on " + seen->object : "";
    const std::string within =
        own_lock_timeout ? "the section's own lock_timeout" : spelled(policy_.lock_timeout);
    const std::string holder =
        seen ? "held by " + seen->blocker : "the session in the way was gone before pgentry could see it";
    return fmt::format("{} {}: no lock{} within {} ({})", migration.version, migration.name, object, within,
                       holder);
}

void DdlGuard::after_timeout(const migrations::Migration& migration, const std::string& description,
                             bool transactional) {
    const auto now = Clock::now();
    if (!first_timeout_) {
        first_timeout_ = now;
    }
    const auto deadline = *first_timeout_ + policy_.retry_timeout;
    if (now >= deadline) {
        throw Error(exit_code::lock_timeout,
                    fmt::format("{}; rolled back, gave up after {} of retries (--ddl-retry-timeout): {}",
                                description, spelled(policy_.retry_timeout),
                                transactional ? "nothing of this migration was applied"
                                              : "this transaction:false section's statements before the one "
                                                "that timed out stay committed and run again at the next "
                                                "start"),
                    MigrationContext{migration.version, migration.name, std::string(lock_not_available), ""});
    }
    ++retries_;
    const auto pause = std::min<Clock::duration>(pause_before(retries_), deadline - now);
    log::warn(fmt::format("{}; rolled back, retry {} in {:.1f} s", description, retries_,
                          std::chrono::duration<double>(pause).count()),
              {{"version", migration.version},
               {"name", migration.name},
               {"sqlstate", std::string(lock_not_available)}});
    if (loop_.sleep_until(now + pause) == EventLoop::Wake::stop_signal) {
        throw Interrupted(*loop_.stop_signal());
    }
}

}  // namespace pgentry::db
