#pragma once
// --mode=rollback: down sections, newest first, under the same lock as migrating.
#include <cstdint>
#include <optional>
#include <vector>

#include "db/history.hpp"
#include "migrations/migration_set.hpp"
#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

// What --steps=N or --to=V rolls back, newest first: the N newest applied versions, or every applied one
// newer than V (V itself stays applied; 0: all). `to`, when given, wins over `steps`. Pure: no server.
// Error(65) naming every problem when a selected version has no file or no down section, or when `to` is
// not an applied version (nor 0).
std::vector<const migrations::Migration*> select_rollback(const std::vector<db::AppliedMigration>& applied,
                                                          const migrations::MigrationSet& set, int steps,
                                                          std::optional<std::int64_t> to);

// Error(65) as select_rollback, before anything runs.
void rollback(MigrationDatabase& database, const migrations::MigrationSet& set);

}  // namespace pgentry::pipeline
