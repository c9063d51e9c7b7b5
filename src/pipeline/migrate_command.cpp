#include "pipeline/migrate_command.hpp"

#include <cstdlib>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "process/signals.hpp"
#include "supervisor/run_to_completion.hpp"

namespace pgentry::pipeline {

namespace {

// DATABASE_URL for the child only: the server started afterwards keeps the environment pgentry was given.
// pgentry-migrator runs no other thread that could read the environment meanwhile.
class ScopedDatabaseUrl {
public:
    explicit ScopedDatabaseUrl(const std::string& url) {
        if (url.empty()) {
            return;
        }
        if (const char* old = std::getenv("DATABASE_URL")) {
            previous_ = old;
        }
        active_ = setenv("DATABASE_URL", url.c_str(), 1) == 0;
    }
    ScopedDatabaseUrl(const ScopedDatabaseUrl&) = delete;
    ScopedDatabaseUrl& operator=(const ScopedDatabaseUrl&) = delete;
    ~ScopedDatabaseUrl() {
        if (!active_) {
            return;
        }
        if (previous_) {
            setenv("DATABASE_URL", previous_->c_str(), 1);
        } else {
            unsetenv("DATABASE_URL");
        }
    }

private:
    std::optional<std::string> previous_;
    bool active_ = false;
};

supervisor::ChildExit run_shell(const MigrateCommand& migrate) {
    const ScopedDatabaseUrl url(migrate.database_url);
    std::string shell = "/bin/sh", dash_c = "-c", text = migrate.command;
    char* const argv[] = {shell.data(), dash_c.data(), text.data(), nullptr};
    // Always the group: sh -c does not pass signals on to the tool it runs (SPEC.md "Other migration tools").
    return supervisor::run_to_completion({argv, nullptr, "migrate command"},
                                         {migrate.stop_timeout.count(), true});
}

}  // namespace

void run_migrate_command(MigrationDatabase& database, const MigrateCommand& migrate) {
    // Django, Alembic and dbmate do not lock: pgentry's advisory lock makes them run one replica at a time.
    // Other tools lock by themselves, and pgentry's table lock would make Ecto's own lock wait for it.
    std::optional<db::MigrationSession> worker;
    if (database.settings.lock_kind == "advisory") {
        worker.emplace(database.open_worker());
    }
    std::optional<db::Lock> lock = worker ? database.lock(*worker) : std::nullopt;
    log::info("== Running migrate command");
    const supervisor::ChildExit exit = run_shell(migrate);
    if (lock) {
        db::with_step(db::releasing_lock, [&] { lock->release(); });
    }
    if (exit.stop_signal != 0) {
        throw Interrupted(exit.stop_signal);
    }
    using How = supervisor::ChildExit::How;
    char name[16];
    switch (exit.how) {
    case How::exited:
        if (exit.value == 0) {
            log::info("== Migrate command finished");
            return;
        }
        throw Error(exit_code::migration_failed, fmt::format("migrate command exited with {}", exit.value));
    case How::killed:
        throw Error(exit_code::migration_failed,
                    fmt::format("migrate command was killed by signal {} ({})", exit.value,
                                process::signal_name(exit.value, name)));
    case How::not_started: break;
    }
    throw Error(exit_code::migration_failed, "migrate command could not be started (/bin/sh)");
}

}  // namespace pgentry::pipeline
