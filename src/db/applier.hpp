#pragma once
// Applies one migration section together with its schema_migrations row: both commit or neither
// (transact-rs/sqlx#1966). Statements go one by one, so a failure names its own line.
#include <optional>

#include "config/options.hpp"
#include "db/connection.hpp"
#include "db/ddl_retry.hpp"
#include "db/history.hpp"
#include "db/lock.hpp"
#include "migrations/migration.hpp"

namespace pgentry::db {

enum class Direction { up, down };

// Throws Error(70) naming the file, the line, the SQLSTATE and the server's message, detail and
// hint; a transactional section leaves nothing behind. Interrupted on a stop signal.
// `lock` is confirmed before the section's record commits. Statements run under `ddl`'s lock timeout
// and retries (Error(75) when they give up) and invalid-index checks (db/ddl_retry.hpp).
void apply(Connection& connection, const History& history, const migrations::Migration& migration,
           Direction direction, std::optional<config::Duration> statement_timeout, const Lock& lock,
           DdlGuard& ddl);

}  // namespace pgentry::db
