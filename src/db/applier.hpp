#pragma once
// Applies one migration section together with its schema_migrations row: both commit or neither
// (transact-rs/sqlx#1966). Statements go one by one, so a failure names its own line.
#include <chrono>
#include <optional>

#include "db/ddl_retry.hpp"
#include "db/history.hpp"
#include "db/lock.hpp"
#include "db/migration_session.hpp"
#include "migrations/migration.hpp"

namespace pgentry::db {

// Which section of a migration runs: up records its version in the history, down removes it.
enum class Applying { up, down };

// Throws Error(70) naming the file, the line, the SQLSTATE and the server's message, detail and
// hint; a transactional section leaves nothing behind. Interrupted on a stop signal.
// statement_timeout: --statement-timeout (nullopt: the server's). `lock` is confirmed before the section's
// record commits.
// Statements run under `ddl`'s lock timeout and retries (Error(75) when they give up) and invalid-index
// checks (db/ddl_retry.hpp).
void apply(MigrationSession& worker, const History& history, const migrations::Migration& migration,
           Applying section, std::optional<std::chrono::milliseconds> statement_timeout, const Lock& lock,
           DdlGuard& ddl);

}  // namespace pgentry::db
