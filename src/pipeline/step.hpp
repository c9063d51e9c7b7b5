#pragma once
// One migration applied or rolled back, with the Ecto-style lines around it.
#include "config/options.hpp"
#include "db/applier.hpp"

namespace pgentry::pipeline {

void run_step(db::Connection& worker, const db::History& history, const migrations::Migration& migration,
              db::Direction direction, const config::Options& options, const db::Lock& lock,
              db::DdlGuard& ddl);

}  // namespace pgentry::pipeline
