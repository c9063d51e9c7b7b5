#pragma once
// Ecto's schema_migrations table, shared so one history serves pgentry and Ecto releases alike.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace pgentry::db {

// "name" or "schema.name", as --migrations-table gives it (already validated as identifiers).
struct TableName {
    std::string schema;  // empty: the search_path decides, as in Ecto
    std::string name;

    static TableName parse(const std::string& text);
    std::string text() const;    // as given: the advisory lock key is derived from it
    std::string quoted() const;  // for SQL
};

struct AppliedMigration {
    std::int64_t version = 0;
    std::optional<std::string> checksum;     // NULL: applied by Ecto or before pgentry, unverified
    std::optional<std::string> inserted_at;  // "YYYY-MM-DD HH:MM:SS", UTC as Ecto writes it
};

struct HistoryState {
    bool table_exists = false;
    bool has_checksum = false;
    std::vector<AppliedMigration> applied;  // ascending version
};

class History {
public:
    explicit History(TableName table) : table_(std::move(table)) {}

    const TableName& table() const { return table_; }

    // One query in the common case: the no-op boot costs a single round trip.
    HistoryState read(Connection& connection) const;

    // Creates the table (many replicas may race to) or adds the checksum column to Ecto's.
    void ensure(Connection& connection, const HistoryState& state) const;

    std::string insert_sql() const;  // $1 version, $2 checksum
    std::string delete_sql() const;  // $1 version

private:
    TableName table_;
};

}  // namespace pgentry::db
