#include "pipeline/rollback.hpp"

#include "db/lock.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/rollback_selection.hpp"

namespace pgentry::pipeline {

void rollback(MigrationDatabase& database, const migrations::MigrationSet& set) {
    const MigrationSettings& settings = database.settings;
    db::HistoryState state =
        db::with_step(db::reading_history, [&] { return database.history.read(database.session); });
    if (select_rollback(state.applied, set, settings.rollback_to, settings.rollback_steps).empty()) {
        log::info("Nothing to roll back");
        return;
    }
    db::MigrationSession worker = database.open_worker();
    std::optional<db::Lock> lock = database.lock(worker);
    const auto applied = db::with_step(db::reading_history,
                                       [&] { return database.history.read(worker.connection()).applied; });
    db::DdlGuard ddl(database.loop, database.params, settings.ddl);
    for (const auto* migration :
         select_rollback(applied, set, settings.rollback_to, settings.rollback_steps)) {
        database.apply(worker, *migration, db::Applying::down, *lock, ddl);
    }
    db::with_step(db::releasing_lock, [&] { lock->release(); });
}

}  // namespace pgentry::pipeline
