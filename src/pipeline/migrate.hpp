#pragma once
// Stage 4: apply the pending migrations under the lock (SPEC.md "Running pending migrations").
#include "config/options.hpp"
#include "migrations/migration_set.hpp"
#include "pipeline/target.hpp"

namespace pgentry::pipeline {

void migrate(Target& target, const migrations::MigrationSet& set, const config::Options& options);

}  // namespace pgentry::pipeline
