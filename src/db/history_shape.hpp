#pragma once
// Whether a migrations table without pgentry's checksum column is Ecto's, which pgentry shares (SPEC "The
// migrations table and the lock"), or another tool's, which it must leave alone. dbmate and Rails make
// schema_migrations(version varchar PRIMARY KEY), golang-migrate schema_migrations(version bigint, dirty
// boolean): pgentry once added its checksum column to such a table and only then failed, on the first INSERT
// (a text version, no inserted_at), having changed another tool's table for nothing; --mode=status failed
// with 70 on the missing inserted_at. Asked only on the read's fallback path (no checksum column), so that
// the no-op boot on pgentry's own table stays one round trip.
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "db/history.hpp"

namespace pgentry::db {

struct HistoryColumn {
    std::string name;
    std::string type;      // as format_type() spells it: "bigint", "character varying(128)"
    bool integer = false;  // bigint, integer or smallint: what Ecto's version is read as
};

// What is wrong with a table of these columns (attnum order) for pgentry, as a message naming `table` (as
// --migrations-table gave it), what is wrong ("version is character varying", "no inserted_at column"), the
// tool whose shape it has when known, and what to do; nullopt for Ecto's shape (an integer version and an
// inserted_at column).
std::optional<std::string> foreign_history(const std::vector<HistoryColumn>& columns, const TableName& table);

// The columns of `located` (schema-qualified), one round trip; empty when the table does not exist.
std::vector<HistoryColumn> history_columns(Connection& connection, const TableName& located);

}  // namespace pgentry::db
