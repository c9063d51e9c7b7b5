#pragma once
// The read-only modes: status and verify. They never create or alter the migrations table.
#include <ostream>

#include "migrations/migration_set.hpp"
#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

// Every migration, file or row, with its state: up, down, changed, file missing.
void print_status(MigrationDatabase& database, const migrations::MigrationSet& set, std::ostream& out);

// 0 when every file is applied and unchanged, 1 when some are pending; Error(65) when one changed.
int verify(MigrationDatabase& database, const migrations::MigrationSet& set);

}  // namespace pgentry::pipeline
