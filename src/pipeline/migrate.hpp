#pragma once
// Stage 4: apply the pending migrations under the lock (SPEC.md "Running pending migrations").
#include "migrations/migration_set.hpp"
#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

void migrate(MigrationDatabase& database, const migrations::MigrationSet& set);

}  // namespace pgentry::pipeline
