#include "pipeline/migrate.hpp"

#include "db/lock.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/lint_gate.hpp"
#include "pipeline/plan.hpp"

namespace pgentry::pipeline {

void migrate(MigrationDatabase& database, const migrations::MigrationSet& set) {
    // Lock-free first look: booting replicas with nothing to do never queue on the lock (goose#751).
    db::HistoryState state =
        db::with_step(db::reading_history, [&] { return database.history.read(database.session); });
    Plan plan = make_plan(set, state.applied);
    warn_missing(plan);
    refuse_changed(plan);
    if (plan.pending.empty()) {
        // Nothing is written, so an Ecto-made table is left as it is (its rows read as unverified, SPEC "The
        // migrations table and the lock"): adding the checksum column would take ACCESS EXCLUSIVE on every
        // replica's boot until one got it, the lock queue the no-op boot is meant not to join (goose#751).
        log::info("Migrations already up");
        return;
    }
    // Before the lock and the history table: --lint=error refuses with nothing touched.
    lint_pending(plan.pending, database.settings.lint);

    db::MigrationSession worker = database.open_worker();
    // Before the migration lock: once this instance holds SHARE UPDATE EXCLUSIVE on the table, its own
    // ALTER from another session could never get the ACCESS EXCLUSIVE that adding the checksum column
    // needs. That wait is for the same holder as the migration lock's, under the same --lock-timeout.
    db::with_step(db::creating_history,
                  [&] { database.history.ensure(database.session, state, database.settings.lock_timeout); });
    const auto read_again = [&] {
        plan = make_plan(set, db::with_step(db::reading_history, [&] {
                                  return database.history.read(worker.connection());
                              }).applied);
        refuse_changed(plan);
        return !plan.pending.empty();
    };
    // Each refused try looks again without the lock: once another instance has applied everything, this
    // one stops waiting instead of taking the lock in its turn only to find nothing to do.
    std::optional<db::Lock> lock = database.lock(worker, read_again);
    // Another instance may have migrated while this one waited (ecto_sql#276): read again under the lock.
    if (!lock || !read_again()) {
        log::info("Migrations already up");
        return;
    }
    db::DdlGuard ddl(database.loop, database.params, database.settings.ddl);
    for (const auto* migration : plan.pending) {
        database.apply(worker, *migration, db::Applying::up, *lock, ddl);
    }
    db::with_step(db::releasing_lock, [&] { lock->release(); });
}

}  // namespace pgentry::pipeline
