#pragma once
// The read-only modes: status and verify. They never create or alter the migrations table.
#include <ostream>

#include "migrations/migration_set.hpp"
#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

// Every migration, file or row, in version order with its state (up, down, changed, file missing) and when
// it was applied: a table under a header line, or with settings.report_format json one object a line,
// {"version":20240101000001,"name":"create_users","state":"up","applied_at":"2024-01-01 10:00:00"} (the time
// UTC as Ecto writes it; null when not applied or not recorded), as --mode=lint prints its findings.
void print_status(MigrationDatabase& database, const migrations::MigrationSet& set, std::ostream& out);

// 0 when every file is applied and unchanged, 1 when some are pending; Error(65) when one changed.
int verify(MigrationDatabase& database, const migrations::MigrationSet& set);

}  // namespace pgentry::pipeline
