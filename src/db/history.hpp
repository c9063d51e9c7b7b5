#pragma once
// Ecto's schema_migrations table, shared so one history serves pgentry and Ecto releases alike.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
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
    explicit History(TableName table) : table_(table), located_(std::move(table)) {}

    // As --migrations-table gave it: the lock's name and the advisory key are derived from it.
    const TableName& table() const { return table_; }
    // With its schema once locate() ran: what pgentry's own statements name.
    const TableName& located() const { return located_; }

    // One statement in the common case: the no-op boot costs a single round trip. It is a COPY ... TO
    // STDOUT, which reads the table without planning a query: a fresh backend plans its first query on a
    // table only after catalog lookups, and a whole libpq program (connection included) took 0.97 ms longer
    // with SELECT's 200 rows than with `SELECT 1`, 0.02 ms longer with COPY's (measured here). Insertion
    // times only when asked for (--mode=status shows them), with a SELECT: COPY would print them in the
    // session's DateStyle. A table without the checksum column costs two more: the fallback read, and
    // before it a look at its columns, which refuses another tool's table (history_shape.hpp) with
    // Error(64) before anything changes it.
    enum class InsertedAt { skip, read };
    HistoryState read(Connection& connection, InsertedAt inserted_at = InsertedAt::skip) const;

    // Before anything is written, on a session no migration has touched (one round trip): refuses a
    // read-only hot standby (Error(69), see standby_refusal) and fixes the table's schema, so that a
    // migration's SET search_path cannot move pgentry's statements: the schema where the table is,
    // else current_schema(), where CREATE TABLE puts it.
    void locate(Connection& connection);

    // Before pgentry writes the table, after locate(), on an idle session: creates the schema (only when it
    // does not exist) and the table (many replicas may race to), or adds the checksum column to Ecto's table
    // without waiting inside the server (add_checksum_column: Error(75) naming the holder once lock_timeout,
    // 0: none, passes; Interrupted on a stop signal). When the role may not alter the table (another role
    // owns it, a read-only transaction), warns and goes on without checksums. Error(70) saying what to grant
    // when the role may not create the schema or the table.
    void ensure(Connection& connection, const HistoryState& state, std::chrono::milliseconds lock_timeout);

    // The migration's row, in the caller's transaction, and its removal (rollback).
    void record(Connection& connection, std::int64_t version, const std::string& checksum) const;
    void forget(Connection& connection, std::int64_t version) const;

    // A 42501 while taking the lock on the table: Error(70) naming what to grant.
    [[noreturn]] void refuse_lock(Connection& connection, const QueryError& failure) const;

private:
    TableName table_;
    TableName located_;
    bool schema_exists_ = true;
    bool checksum_column_ = true;  // false: Ecto's table, and the column could not be added
};

}  // namespace pgentry::db
