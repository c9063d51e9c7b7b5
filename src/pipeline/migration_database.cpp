#include "pipeline/migration_database.hpp"

#include <fmt/format.h>

#include "db/step.hpp"
#include "db/wait.hpp"
#include "log/log.hpp"

namespace pgentry::pipeline {

namespace {

constexpr std::string_view insufficient_privilege = "42501";

}  // namespace

db::MigrationSession MigrationDatabase::open_worker() {
    // On the session nothing but pgentry has used: its search_path is the role's own.
    db::with_step(db::preparing_session, [&] { history.locate(session); });
    db::MigrationSession worker(db::open_second(loop, params, session, settings.wait_timeout));
    db::with_step(db::preparing_session, [&] { worker.pin(std::nullopt); });
    return worker;
}

std::optional<db::Lock> MigrationDatabase::lock(db::MigrationSession& worker,
                                                const std::function<bool()>& still_needed) {
    try {
        return db::Lock::acquire({session, worker.connection(), params, history.table()}, settings.lock_kind,
                                 settings.lock_timeout, still_needed);
    } catch (const db::QueryError& failure) {
        if (failure.error().sqlstate == insufficient_privilege) {
            history.refuse_lock(session, failure);
        }
        throw db::step_error(db::taking_lock, failure.error());
    }
}

void MigrationDatabase::apply(db::MigrationSession& worker, const migrations::Migration& migration,
                              db::Applying applying, const db::Lock& lock, db::DdlGuard& ddl) {
    const bool up = applying == db::Applying::up;
    const auto start = db::Clock::now();
    log::info(
        fmt::format("== Running {} {} {}", migration.version, migration.name, up ? "forward" : "backward"),
        {{"version", migration.version}, {"name", migration.name}});
    ddl.retrying(migration, [&] {
        db::apply(worker, history, migration, applying, settings.statement_timeout, lock, ddl);
    });
    const double elapsed = std::chrono::duration<double>(db::Clock::now() - start).count();
    log::info(fmt::format("== {} {} in {:.1f}s", up ? "Migrated" : "Rolled back", migration.version, elapsed),
              {{"version", migration.version},
               {"name", migration.name},
               {"duration_ms", static_cast<std::int64_t>(elapsed * 1000)}});
}

}  // namespace pgentry::pipeline
