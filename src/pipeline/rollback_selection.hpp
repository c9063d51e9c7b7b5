#pragma once
// Which applied migrations --mode=rollback undoes, decided from the history and the files alone: no
// connection, so that tests/unit/rollback_selection_test.cpp checks it without a server.
#include <cstdint>
#include <optional>
#include <vector>

#include "db/history.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::pipeline {

// Newest first. With `to` (--to=V): every applied version newer than V, V itself stays applied; V must be
// an applied version, or 0 for all. Without it (--steps=N): the `steps` newest. `applied` is ascending.
// Error(65) "nothing rolled back; ..." when --to names a version that is not applied, or when a selected
// version has no file or no '-- migrate:down' section (every such problem named at once).
std::vector<const migrations::Migration*> select_rollback(const std::vector<db::AppliedMigration>& applied,
                                                          const migrations::MigrationSet& set,
                                                          std::optional<std::int64_t> to, int steps);

}  // namespace pgentry::pipeline
