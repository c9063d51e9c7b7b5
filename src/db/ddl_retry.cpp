#include "db/ddl_retry.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/jitter.hpp"
#include "log/log.hpp"
#include "migrations/index_statement.hpp"

namespace pgentry::db {

namespace {

constexpr auto first_pause = std::chrono::milliseconds(500);
constexpr auto longest_pause = std::chrono::seconds(10);
constexpr int looks_per_lock_timeout = 4;
constexpr auto closest_looks = std::chrono::milliseconds(10);
constexpr auto farthest_looks = std::chrono::seconds(1);
// Under a lock_timeout shorter than this, the connections the checks and looks ask on open before the
// statement is sent rather than at its first check: opening one (a backend started, an authentication
// exchange, more on a busy machine) can outlast a wait this short, which then ends unseen (seen here: a
// 50 ms wait missed, its first check opening two connections). Longer ones keep them unopened until a
// statement runs that long, as a migration of quick statements never does.
constexpr auto open_early_below = std::chrono::seconds(1);

// The lock_timeout in effect on the worker, in ms however a SET spelled it: current_setting shows it with its
// unit ("0", "100ms", "5s", "1min"; PostgreSQL docs 20.1.1 "Parameter Names and Values"), which interval
// input reads. Not pg_settings' integer in ms: that view builds a row for every setting, and the section's
// first query took 0.76 ms instead of 0.19 (pgbench), on every migration (bench/cases/02).
constexpr std::string_view lock_timeout_in_effect =
    "(extract(epoch FROM current_setting('lock_timeout')::interval) * 1000)::bigint";

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

std::chrono::milliseconds read_lock_timeout(Connection& worker) {
    return std::chrono::milliseconds(
        worker.exec(fmt::format("SELECT {}", lock_timeout_in_effect)).integer(0, 0));
}

// When a statement under lock_timeout (0: none) is checked and looked at. lock_timeout counts from the start
// of each lock wait ("The time limit applies separately to each lock acquisition attempt": PostgreSQL docs
// 20.11.1 "Statement Behavior"), and a wait may begin late in a long statement: the looks go on the whole
// statement long, a fourth of the timeout apart, so that each wait is looked at about four times and one
// look held up (a busy machine, a slow answer) leaves others inside it. Never closer than 10 ms: a
// statement that runs long unblocked pays a look each time (one read of pg_stat_activity,
// blocking_session.cpp), and a wait shorter than a look's round trip cannot be seen anyway. Never farther
// than a second, the first no later than 200 ms, as for any statement (StatementWatch).
StatementWatch watch_for(std::chrono::milliseconds lock_timeout) {
    StatementWatch watch;
    if (lock_timeout.count() > 0) {
        watch.every =
            std::clamp<Clock::duration>(lock_timeout / looks_per_lock_timeout, closest_looks, farthest_looks);
        watch.open_early = lock_timeout < open_early_below;
    }
    watch.first = std::min(watch.first, watch.every);
    return watch;
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
    // connection the transaction holds, also behind a pooler. And the lock_timeout they start with.
    if (transaction_) {
        const std::string set = own_lock_timeout_ ? ""
                                                  : fmt::format("SET LOCAL lock_timeout = {}; ",
                                                                guard_.policy_.lock_timeout.count());
        const Result started =
            worker_.exec(fmt::format("{}SELECT pg_backend_pid(), {}", set, lock_timeout_in_effect));
        worker_pid_ = static_cast<int>(started.integer(0, 0));
        lock_timeout_ = std::chrono::milliseconds(started.integer(0, 1));
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
    if (!session_sets_ || own_lock_timeout_) {
        lock_timeout_ = read_lock_timeout(worker_);  // pgentry sets none: the server's, until a SET
    }
}

void DdlSection::run(std::string_view statement, std::optional<std::string_view> copy_rows) {
    const std::string text(statement);
    if (transaction_) {
        attempt(text, copy_rows, true);
        return follow_own_setting(statement);
    }
    const migrations::IndexStatement index = migrations::read_index_statement(statement);
    const bool exempt = migrations::runs_without_lock_timeout(index);
    if (session_sets_ && !own_lock_timeout_) {
        lock_timeout_ = exempt ? std::chrono::milliseconds(0) : guard_.policy_.lock_timeout;
        worker_.exec(fmt::format("SET lock_timeout = {}", lock_timeout_.count()));
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
    follow_own_setting(statement);
    indexes_.after(worker_, index);
}

void DdlSection::attempt(const std::string& statement, std::optional<std::string_view> copy_rows,
                         bool guarded) {
    StatementWatch watch = watch_for(lock_timeout_);
    DdlGuard::Looks looks;
    looks.first = watch.first;
    if (guarded) {
        if (watch.open_early) {
            guard_.blocking_.open();
        }
        watch.look = [this, &looks] {
            ++looks.made;
            LookAnswer answer = guard_.blocking_.look(worker_pid_);
            looks.answered += answer.answered ? 1 : 0;
            if (answer.wait) {
                looks.last_seen = std::move(answer.wait);
            }
        };
    }
    try {
        lock_.exec_watched(worker_, statement, copy_rows, watch);
    } catch (const OwnLockWait&) {
        throw;  // waiting again would not help: it says what to change
    } catch (const QueryError& failure) {
        // A BEGIN of the section's own left a transaction open: retrying one statement of it would be wrong.
        if (failure.error().sqlstate != lock_not_available || (!transaction_ && worker_.in_transaction())) {
            throw;
        }
        throw LockTimedOut{guard_.describe(migration_, own_lock_timeout_, looks)};
    }
}

void DdlSection::follow_own_setting(std::string_view statement) {
    if (own_lock_timeout_ && migrations::sets_lock_timeout(statement)) {
        lock_timeout_ = read_lock_timeout(worker_);
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
                               const Looks& looks) const {
    const auto& seen = looks.last_seen;
    const std::string object = seen && !seen->object.empty() ? " on " + seen->object : "";
    const std::string within =
        own_lock_timeout ? "the section's own lock_timeout" : spelled(policy_.lock_timeout);
    return fmt::format("{} {}: no lock{} within {} ({})", migration.version, migration.name, object, within,
                       in_the_way(looks));
}

// Only what the looks found: a session not seen may still be there.
std::string DdlGuard::in_the_way(const Looks& looks) {
    if (looks.last_seen) {
        return "held by " + looks.last_seen->blocker;
    }
    const std::string_view not_seen = "the session in the way was not seen";
    if (looks.made == 0) {
        return fmt::format("{}: the wait ended before pgentry's first look, {} into the statement", not_seen,
                           spelled(std::chrono::duration_cast<std::chrono::milliseconds>(looks.first)));
    }
    if (looks.answered == 0) {
        return fmt::format("{}: pgentry could not look (no connection to spare, or no answer in time)",
                           not_seen);
    }
    return fmt::format("{}: the statement was not waiting behind one when pgentry looked", not_seen);
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
