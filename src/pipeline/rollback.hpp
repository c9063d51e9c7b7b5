#pragma once
// --mode=rollback: down sections, newest first, under the same lock as migrating.
#include "config/options.hpp"
#include "migrations/migration_set.hpp"
#include "pipeline/target.hpp"

namespace pgentry::pipeline {

// Error(65), before anything runs, when a migration to roll back has no file or no down section, or when
// --to names a version that is not applied (0 means all).
void rollback(Target& target, const migrations::MigrationSet& set, const config::Options& options);

}  // namespace pgentry::pipeline
