#pragma once
// --mode=rollback: down sections, newest first, under the same lock as migrating.
#include "migrations/migration_set.hpp"
#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

// Error(65) as select_rollback (pipeline/rollback_selection.hpp), before anything runs.
void rollback(MigrationDatabase& database, const migrations::MigrationSet& set);

}  // namespace pgentry::pipeline
