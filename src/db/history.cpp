#include "db/history.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/checksum_column.hpp"
#include "db/history_shape.hpp"
#include "db/step.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr std::string_view undefined_table = "42P01";
constexpr std::string_view undefined_schema = "3F000";
constexpr std::string_view undefined_column = "42703";
constexpr std::string_view unique_violation = "23505";
constexpr std::string_view duplicate_table = "42P07";
constexpr std::string_view duplicate_schema = "42P06";
// CREATE TABLE also creates the table's row type: a replica that loses that race gets 42710
// (type "schema_migrations" already exists) instead of 42P07.
constexpr std::string_view duplicate_object = "42710";
constexpr std::string_view insufficient_privilege = "42501";
constexpr std::string_view read_only_transaction = "25006";

// --mode=status's SELECT: version, then checksum when the table has one, then the insertion time.
std::vector<AppliedMigration> rows_of(const Result& result, bool with_checksum) {
    std::vector<AppliedMigration> applied;
    applied.reserve(static_cast<std::size_t>(result.rows()));
    const int inserted_at_column = with_checksum ? 2 : 1;
    for (int row = 0; row < result.rows(); ++row) {
        applied.push_back({result.integer(row, 0),
                           with_checksum ? result.optional_text(row, 1) : std::nullopt,
                           result.optional_text(row, inserted_at_column)});
    }
    return applied;
}

// COPY's text format: "<version>[\t<checksum>]\n" a row, \N for NULL; neither column can hold a character
// COPY escapes (a bigint, and hex).
std::vector<AppliedMigration> rows_of_copy(std::string_view rows, bool with_checksum) {
    std::vector<AppliedMigration> applied;
    while (!rows.empty()) {
        const std::size_t end = std::min(rows.find('\n'), rows.size());
        const std::string_view line = rows.substr(0, end);
        rows.remove_prefix(std::min(end + 1, rows.size()));
        const std::size_t tab = std::min(line.find('\t'), line.size());
        AppliedMigration row;
        std::from_chars(line.data(), line.data() + tab, row.version);
        if (with_checksum && tab < line.size() && line.substr(tab + 1) != "\\N") {
            row.checksum = std::string(line.substr(tab + 1));
        }
        applied.push_back(std::move(row));
    }
    return applied;
}

// In version order whatever order the server sent them in: an ORDER BY would cost the server a sort.
std::vector<AppliedMigration> by_version(std::vector<AppliedMigration> applied) {
    std::sort(applied.begin(), applied.end(),
              [](const AppliedMigration& a, const AppliedMigration& b) { return a.version < b.version; });
    return applied;
}

// Runs DDL that a concurrent replica may run at the same moment: losing that race is success.
void exec_racing(Connection& connection, const std::string& sql) {
    try {
        connection.exec(sql);
    } catch (const QueryError& failure) {
        const auto& code = failure.error().sqlstate;
        if (code != unique_violation && code != duplicate_table && code != duplicate_schema &&
            code != duplicate_object) {
            throw;
        }
        log::debug("another instance created it first: " + failure.error().message);
    }
}

std::string quote(const std::string& identifier) {
    std::string quoted = "\"";
    for (char c : identifier) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

// step_error's shape ("<step>: SQLSTATE <code>: <server's message>; HINT: <advice>", the SQLSTATE and
// the step as JSON fields) with the advice for this case: the server gives no hint for 42501.
Error refusal(std::string_view step, const QueryError& failure, const std::string& advice) {
    ServerError error = failure.error();
    error.hint = advice;
    return step_error(step, error);
}

// What pgentry does on the table: reads it, records and removes rows, and locks it (LOCK TABLE ... IN
// SHARE UPDATE EXCLUSIVE MODE needs UPDATE, DELETE or TRUNCATE).
std::string table_grant(const TableName& table, const std::string& role) {
    return fmt::format("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}", table.quoted(), quote(role));
}

// Exit 69 rather than 70: nothing failed while being applied; the writable database the pending
// migrations need is not at this address, the same situation target_session_attrs=read-write turns
// into waiting and, after --wait-timeout, 69. An orchestrator that restarts on 69 reaches the new
// primary once a failover has moved the address.
Error standby_refusal(const Connection& connection) {
    return Error(
        exit_code::unavailable,
        fmt::format("database {} is a read-only hot standby (SQLSTATE 25006: pg_is_in_recovery() is "
                    "true) and pgentry has migrations to apply or roll back: point --database-url at the "
                    "primary, or add target_session_attrs=read-write to it, with which pgentry waits "
                    "(within --wait-timeout) for a server that accepts writes, such as this one once "
                    "promoted",
                    connection.database()),
        MigrationContext{0, "", std::string(read_only_transaction), std::string(preparing_session)});
}

}  // namespace

TableName TableName::parse(const std::string& text) {
    auto dot = text.find('.');
    if (dot == std::string::npos) {
        return {"", text};
    }
    return {text.substr(0, dot), text.substr(dot + 1)};
}

std::string TableName::text() const {
    return schema.empty() ? name : schema + "." + name;
}

std::string TableName::quoted() const {
    return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

HistoryState History::read(Connection& connection, InsertedAt inserted_at) const {
    const auto rows = [&](bool with_checksum) {
        const std::string_view checksum = with_checksum ? ", checksum" : "";
        if (inserted_at == InsertedAt::read) {
            return by_version(rows_of(connection.exec(fmt::format("SELECT version{}, to_char(inserted_at, "
                                                                  "'YYYY-MM-DD HH24:MI:SS') FROM {}",
                                                                  checksum, located_.quoted())),
                                      with_checksum));
        }
        return by_version(rows_of_copy(
            connection.copy_out(fmt::format("COPY {} (version{}) TO STDOUT", located_.quoted(), checksum)),
            with_checksum));
    };
    try {
        try {
            return {true, true, rows(true)};
        } catch (const QueryError& failure) {
            const auto& code = failure.error().sqlstate;
            if (code == undefined_table || code == undefined_schema) {
                return {false, false, {}};
            }
            if (code != undefined_column) {
                throw;
            }
        }
        // No checksum column: made by Ecto, or by another tool, whose table pgentry must not touch (before
        // anything changes it, in every mode that reads it).
        if (auto foreign = foreign_history(history_columns(connection, located_), table_)) {
            throw Error(exit_code::usage, *foreign,
                        MigrationContext{0, "", "", std::string(reading_history)});
        }
        return {true, false, rows(false)};
    } catch (const QueryError& failure) {
        if (failure.error().sqlstate != insufficient_privilege) {
            throw;
        }
        throw refusal(reading_history, failure,
                      fmt::format("on {}, the role needs USAGE on the table's schema and, on the table, "
                                  "SELECT to read it, INSERT and DELETE to record, UPDATE or DELETE to lock "
                                  "it: {}",
                                  located_.text(), table_grant(located_, connection.user())));
    }
}

void History::locate(Connection& connection) {
    auto result = connection.exec(
        "SELECT pg_is_in_recovery(), (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE c.oid = to_regclass($1)), current_schema(), "
        "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $2)",
        {table_.quoted(), table_.schema});
    if (result.text(0, 0) == "t") {
        throw standby_refusal(connection);
    }
    if (!table_.schema.empty()) {
        schema_exists_ = result.text(0, 3) == "t";
        return;
    }
    // NULL current_schema(): no schema of the search_path exists; CREATE TABLE then says so (3F000).
    located_.schema = result.optional_text(0, 1).value_or(result.optional_text(0, 2).value_or(""));
}

void History::ensure(Connection& connection, const HistoryState& state,
                     std::chrono::milliseconds lock_timeout) {
    if (!state.table_exists) {
        try {
            // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the
            // schema exists, which a role that owns its schema may lack.
            if (!table_.schema.empty() && !schema_exists_) {
                exec_racing(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(table_.schema));
            }
        } catch (const QueryError& failure) {
            if (failure.error().sqlstate != insufficient_privilege) {
                throw;
            }
            throw refusal(
                creating_history, failure,
                fmt::format("creating the schema {}: GRANT CREATE ON DATABASE {} TO {}, or create the "
                            "schema beforehand",
                            table_.schema, quote(connection.database()), quote(connection.user())));
        }
        try {
            // Ecto's definition plus the nullable checksum column.
            exec_racing(
                connection,
                fmt::format("CREATE TABLE IF NOT EXISTS {} (version bigint, inserted_at timestamp(0), "
                            "checksum text, PRIMARY KEY (version))",
                            located_.quoted()));
        } catch (const QueryError& failure) {
            if (failure.error().sqlstate != insufficient_privilege) {
                throw;
            }
            throw refusal(
                creating_history, failure,
                fmt::format(
                    "creating {}: GRANT CREATE ON SCHEMA {} TO {}, or have the schema's owner create the "
                    "table (version bigint PRIMARY KEY, inserted_at timestamp(0), checksum text) and {}",
                    located_.text(), quote(located_.schema.empty() ? "public" : located_.schema),
                    quote(connection.user()), table_grant(located_, connection.user())));
        }
        log::debug("created " + located_.text());
    } else if (!state.has_checksum) {
        try {
            if (add_checksum_column(connection, located_, lock_timeout)) {
                log::info("added the checksum column to " + located_.text());
            }
        } catch (const QueryError& failure) {
            const auto& code = failure.error().sqlstate;
            if (code != insufficient_privilege && code != read_only_transaction) {
                throw;
            }
            checksum_column_ = false;
            log::warn(fmt::format("could not add the checksum column to {} (SQLSTATE {}: {}): applied "
                                  "migrations stay unverified; have the table's owner run ALTER TABLE {} "
                                  "ADD COLUMN checksum text",
                                  located_.text(), code, failure.error().message, located_.quoted()),
                      {{"sqlstate", code}});
        }
    }
}

void History::record(Connection& connection, std::int64_t version, const std::string& checksum) const {
    if (!checksum_column_) {
        connection.exec(fmt::format("INSERT INTO {} (version, inserted_at) "
                                    "VALUES ($1, (now() AT TIME ZONE 'UTC')::timestamp(0))",
                                    located_.quoted()),
                        {std::to_string(version)});
        return;
    }
    connection.exec(fmt::format("INSERT INTO {} (version, inserted_at, checksum) "
                                "VALUES ($1, (now() AT TIME ZONE 'UTC')::timestamp(0), $2)",
                                located_.quoted()),
                    {std::to_string(version), checksum});
}

void History::forget(Connection& connection, std::int64_t version) const {
    connection.exec(fmt::format("DELETE FROM {} WHERE version = $1", located_.quoted()),
                    {std::to_string(version)});
}

void History::refuse_lock(Connection& connection, const QueryError& failure) const {
    throw refusal(taking_lock, failure,
                  fmt::format("LOCK TABLE {} IN SHARE UPDATE EXCLUSIVE MODE needs UPDATE, DELETE or TRUNCATE "
                              "on the table: {}",
                              located_.text(), table_grant(located_, connection.user())));
}

}  // namespace pgentry::db
