#include "pipeline/step.hpp"

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::pipeline {

void run_step(db::Connection& worker, const db::History& history, const migrations::Migration& migration,
              db::Direction direction, const config::Options& options, const db::Lock& lock,
              db::DdlGuard& ddl) {
    const bool up = direction == db::Direction::up;
    const auto start = db::Clock::now();
    log::info(
        fmt::format("== Running {} {} {}", migration.version, migration.name, up ? "forward" : "backward"),
        {{"version", migration.version}, {"name", migration.name}});
    ddl.retrying(migration, [&] {
        db::apply(worker, history, migration, direction, options.statement_timeout, lock, ddl);
    });
    const double elapsed = std::chrono::duration<double>(db::Clock::now() - start).count();
    log::info(fmt::format("== {} {} in {:.1f}s", up ? "Migrated" : "Rolled back", migration.version, elapsed),
              {{"version", migration.version},
               {"name", migration.name},
               {"duration_ms", static_cast<std::int64_t>(elapsed * 1000)}});
}

}  // namespace pgentry::pipeline
