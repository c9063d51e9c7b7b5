#include "pipeline/rollback.hpp"

#include "db/lock.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/rollback_selection.hpp"
#include "pipeline/step.hpp"

namespace pgentry::pipeline {

void rollback(Target& target, const migrations::MigrationSet& set, const config::Options& options) {
    db::HistoryState state =
        db::with_step(db::reading_history, [&] { return target.history.read(target.session); });
    if (select_rollback(state.applied, set, options.rollback_to, options.rollback_steps).empty()) {
        log::info("Nothing to roll back");
        return;
    }
    db::Connection worker = target.open_worker();
    db::Lock lock = target.lock(worker, options);
    const auto applied =
        db::with_step(db::reading_history, [&] { return target.history.read(worker).applied; });
    for (const auto* migration : select_rollback(applied, set, options.rollback_to, options.rollback_steps)) {
        run_step(worker, target.history, *migration, db::Direction::down, options, lock);
    }
    db::with_step(db::releasing_lock, [&] { lock.release(); });
}

}  // namespace pgentry::pipeline
