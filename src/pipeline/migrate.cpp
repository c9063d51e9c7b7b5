#include "pipeline/migrate.hpp"

#include "db/lock.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/plan.hpp"
#include "pipeline/step.hpp"

namespace pgentry::pipeline {

void migrate(Target& target, const migrations::MigrationSet& set, const config::Options& options) {
    // Lock-free first look: booting replicas with nothing to do never queue on the lock (goose#751).
    db::HistoryState state =
        db::with_step(db::reading_history, [&] { return target.history.read(target.session); });
    Plan plan = make_plan(set, state.applied);
    warn_missing(plan);
    refuse_changed(plan);
    if (plan.pending.empty()) {
        // Adopting an Ecto-made table adds the checksum column once, even with nothing to apply.
        if (state.table_exists && !state.has_checksum) {
            db::with_step(db::creating_history, [&] { target.history.ensure(target.session, state); });
        }
        log::info("Migrations already up");
        return;
    }

    db::Connection worker = target.open_worker();
    db::with_step(db::creating_history, [&] { target.history.ensure(target.session, state); });
    db::Lock lock = target.lock(worker, options);

    // Another instance may have migrated while this one waited (ecto_sql#276): read again under the lock.
    plan = make_plan(set,
                     db::with_step(db::reading_history, [&] { return target.history.read(worker); }).applied);
    refuse_changed(plan);
    if (plan.pending.empty()) {
        log::info("Migrations already up");
        return;
    }
    db::DdlGuard ddl(target.loop, target.params, {options.ddl_lock_timeout, options.ddl_retry_timeout});
    for (const auto* migration : plan.pending) {
        run_step(worker, target.history, *migration, db::Direction::up, options, lock, ddl);
    }
    db::with_step(db::releasing_lock, [&] { lock.release(); });
}

}  // namespace pgentry::pipeline
