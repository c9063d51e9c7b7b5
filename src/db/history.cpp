#include "db/history.hpp"

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr std::string_view undefined_table = "42P01";
constexpr std::string_view undefined_schema = "3F000";
constexpr std::string_view undefined_column = "42703";
constexpr std::string_view unique_violation = "23505";
constexpr std::string_view duplicate_table = "42P07";
constexpr std::string_view duplicate_schema = "42P06";

std::vector<AppliedMigration> rows_of(const Result& result, bool with_checksum) {
    std::vector<AppliedMigration> applied;
    applied.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        applied.push_back({result.integer(row, 0),
                           with_checksum ? result.optional_text(row, 2) : std::nullopt,
                           result.optional_text(row, 1)});
    }
    return applied;
}

// Runs DDL that a concurrent replica may run at the same moment: losing that race is success.
void exec_racing(Connection& connection, const std::string& sql) {
    try {
        connection.exec(sql);
    } catch (const QueryError& failure) {
        const auto& code = failure.error().sqlstate;
        if (code != unique_violation && code != duplicate_table && code != duplicate_schema) throw;
        log::debug("another instance created it first: " + failure.error().message);
    }
}

}  // namespace

TableName TableName::parse(const std::string& text) {
    auto dot = text.find('.');
    if (dot == std::string::npos) return {"", text};
    return {text.substr(0, dot), text.substr(dot + 1)};
}

std::string TableName::text() const {
    return schema.empty() ? name : schema + "." + name;
}

std::string TableName::quoted() const {
    auto quote = [](const std::string& identifier) { return "\"" + identifier + "\""; };
    return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

HistoryState History::read(Connection& connection) const {
    const std::string columns = "version, to_char(inserted_at, 'YYYY-MM-DD HH24:MI:SS')";
    try {
        auto result = connection.exec(
            fmt::format("SELECT {}, checksum FROM {} ORDER BY version", columns, table_.quoted()));
        return {true, true, rows_of(result, true)};
    } catch (const QueryError& failure) {
        const auto& code = failure.error().sqlstate;
        if (code == undefined_table || code == undefined_schema) return {false, false, {}};
        if (code != undefined_column) throw;
    }
    // Made by Ecto: no checksum column yet.
    auto result =
        connection.exec(fmt::format("SELECT {} FROM {} ORDER BY version", columns, table_.quoted()));
    return {true, false, rows_of(result, false)};
}

void History::ensure(Connection& connection, const HistoryState& state) const {
    if (!state.table_exists) {
        if (!table_.schema.empty()) {
            exec_racing(connection, fmt::format("CREATE SCHEMA IF NOT EXISTS \"{}\"", table_.schema));
        }
        // Ecto's definition plus the nullable checksum column.
        exec_racing(connection,
                    fmt::format("CREATE TABLE IF NOT EXISTS {} (version bigint, inserted_at timestamp(0), "
                                "checksum text, PRIMARY KEY (version))",
                                table_.quoted()));
        log::debug("created " + table_.text());
    } else if (!state.has_checksum) {
        // Nullable without default: no table rewrite; Ecto ignores the column.
        connection.exec(
            fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS checksum text", table_.quoted()));
        log::info("added the checksum column to " + table_.text());
    }
}

std::string History::insert_sql() const {
    return fmt::format(
        "INSERT INTO {} (version, inserted_at, checksum) "
        "VALUES ($1, (now() AT TIME ZONE 'UTC')::timestamp(0), $2)",
        table_.quoted());
}

std::string History::delete_sql() const {
    return fmt::format("DELETE FROM {} WHERE version = $1", table_.quoted());
}

}  // namespace pgentry::db
