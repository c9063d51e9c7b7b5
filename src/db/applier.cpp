#include "db/applier.hpp"

#include <charconv>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/step.hpp"
#include "db/transaction.hpp"
#include "log/log.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::db {

namespace {

// PostgreSQL reports positions in characters; the file is UTF-8.
std::size_t byte_offset(std::string_view text, int characters) {
    std::size_t offset = 0;
    for (int seen = 0; offset < text.size(); ++offset) {
        if ((static_cast<unsigned char>(text[offset]) & 0xC0) != 0x80 && seen++ == characters) {
            break;
        }
    }
    return offset;
}

// The COPY's own line of a CONTEXT (the last one: a trigger's lines come first), when it names a data line:
// 'COPY items, line 2, column id: "x"', counting the lines of the data from 1. nullopt for any other context
// (or one in another lc_messages language).
std::optional<std::pair<std::string_view, int>> copy_context(std::string_view context) {
    if (const std::size_t newline = context.rfind('\n'); newline != std::string_view::npos) {
        context.remove_prefix(newline + 1);
    }
    constexpr std::string_view marker = ", line ";
    const std::size_t at = context.find(marker);
    int line = 0;
    if (!context.starts_with("COPY ") || at == std::string_view::npos ||
        std::from_chars(context.data() + at + marker.size(), context.data() + context.size(), line).ec !=
            std::errc{} ||
        line < 1) {
        return std::nullopt;
    }
    return std::pair{context, line};
}

std::optional<std::string_view> copy_rows(const migrations::Statement& statement) {
    if (!statement.copy_rows) {
        return std::nullopt;
    }
    return statement.copy_rows->text;
}

Error failure(const migrations::Migration& migration, const migrations::Section& section,
              const migrations::Statement* statement, const ServerError& error) {
    int line = statement ? section.line_of(statement->offset) : section.first_line;
    std::string where;
    if (statement && error.position) {
        int exact = section.line_of(statement->offset + byte_offset(statement->text, *error.position - 1));
        if (exact != line) {
            where = fmt::format(" (the statement starts at line {})", line);
        }
        line = exact;
    } else if (const auto copy = copy_context(error.context); statement && statement->copy_rows && copy) {
        where = fmt::format(" (the statement starts at line {}; {})", line, copy->first);
        line = section.line_of(statement->copy_rows->offset) + copy->second - 1;
    }
    std::string message =
        fmt::format("{}:{}: migration {} failed: SQLSTATE {}: {}{}", migration.path.string(), line,
                    migration.version, error.sqlstate, error.message, where);
    if (!error.detail.empty()) {
        message += "; DETAIL: " + error.detail;
    }
    if (!error.hint.empty()) {
        message += "; HINT: " + error.hint;
    }
    return Error(exit_code::migration_failed, message,
                 MigrationContext{migration.version, migration.name, error.sqlstate, ""});
}

}  // namespace

void apply(MigrationSession& worker, const History& history, const migrations::Migration& migration,
           Applying applying, std::optional<std::chrono::milliseconds> statement_timeout, const Lock& lock,
           DdlGuard& ddl) {
    Connection& connection = worker.connection();
    const migrations::Section& section = applying == Applying::up ? migration.up : *migration.down;
    const auto statements = migrations::split_statements(section.sql);
    const migrations::Statement* current = nullptr;  // points into statements, which outlive the catch
    try {
        std::optional<Transaction> transaction;
        if (section.transaction) {
            transaction.emplace(worker.begin(statement_timeout));
        } else if (statement_timeout && !worker.pin(statement_timeout)) {
            log::warn(
                fmt::format("{}: --statement-timeout is not applied to a transaction:false section through "
                            "a pooler: the setting could stay on the server connection the application "
                            "gets next",
                            migration.path.string()));
        }
        DdlSection guarded = ddl.section(connection, lock, migration, section, statements);
        for (const auto& statement : statements) {
            current = &statement;
            guarded.run(statement.text, copy_rows(statement));
        }
        current = nullptr;
        guarded.finish();
        // The next migration and pgentry's own statements start from pgentry's session state; in a
        // transaction the reset commits with the migration, on the same server connection.
        worker.restore();
        // The lock is confirmed as late as possible: right before the record becomes visible.
        if (!transaction) {
            lock.confirm();
        }
        with_step(fmt::format("recording migration {} in the history", migration.version), [&] {
            if (applying == Applying::up) {
                history.record(connection, migration.version, migration.checksum);
            } else {
                history.forget(connection, migration.version);
            }
        });
        if (transaction) {
            lock.confirm();
            transaction->commit();
        }
    } catch (const QueryError& error) {
        // What a migration's own BEGIN left open in a transaction:false section too.
        roll_back_quietly(connection);
        throw failure(migration, section, current, error.error());
    } catch (...) {
        roll_back_quietly(connection);
        throw;
    }
}

}  // namespace pgentry::db
