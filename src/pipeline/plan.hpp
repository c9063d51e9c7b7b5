#pragma once
// Stage 3: what the files on disk and the history in the database say must happen.
#include <cstdint>
#include <vector>

#include "db/history.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::pipeline {

struct Plan {
    std::vector<const migrations::Migration*>
        pending;  // ascending, older-than-newest ones included (as Ecto)
    std::vector<const migrations::Migration*> changed;  // applied, checksum differs
    std::vector<std::int64_t> missing_files;            // applied, no file on disk
};

Plan make_plan(const migrations::MigrationSet& set, const std::vector<db::AppliedMigration>& applied);

// Error(65) naming every changed file, before anything is applied.
void refuse_changed(const Plan& plan);

// A warning per applied version without a file: an old image restarting after a new one migrated.
void warn_missing(const Plan& plan);

}  // namespace pgentry::pipeline
