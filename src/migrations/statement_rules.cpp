#include "migrations/statement_rules.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "migrations/lines.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::migrations {
namespace {

// The statement as the message quotes it: its first line (a CR ends one too, lines.hpp; printed, it would
// send the terminal back over the message), cut short at a character boundary.
std::string quoted_head(std::string_view text) {
    constexpr std::size_t longest = 60;
    std::string_view head = line_from(text, 0).text;
    const bool cut_short = head.size() > longest;
    if (cut_short) {
        std::size_t cut = longest;
        while (cut > 0 && (static_cast<unsigned char>(head[cut]) & 0xC0) == 0x80) {
            --cut;
        }
        head = head.substr(0, cut);
    }
    // fmt, not "'" + std::string: GCC 12 warns falsely (-Wrestrict at -O3) on the concatenation.
    return fmt::format("'{}{}'", head, cut_short ? "..." : "");
}

// Why statement cannot run as written, or nothing.
std::string refusal(const Section& section, const Statement& statement, std::string_view kind) {
    switch (statement.kind) {
    case StatementKind::transaction_control:
        if (!section.transaction) {
            return {};
        }
        // A COMMIT commits what came before it; when a later statement fails, only the rest rolls back and
        // the history row is never written, so every later boot fails on "already exists".
        return fmt::format(
            "transaction control {} in a transactional section: pgentry runs the section in one transaction, "
            "and this would commit half a migration; remove it, or use '-- migrate:{} transaction:false'",
            quoted_head(statement.text), kind);
    case StatementKind::copy_to_client:
        return fmt::format(
            "{}: COPY ... TO STDOUT is not supported (a migration has nowhere to send the rows)",
            quoted_head(statement.text));
    case StatementKind::copy_from_client:
        if (!statement.copy_rows) {
            return fmt::format(
                "{}: COPY ... FROM STDIN must end its line (nothing but comments after its ';'): its data is "
                "the "
                "lines that follow it, up to a line '\\.'",
                quoted_head(statement.text));
        }
        if (!statement.copy_rows->terminated) {
            return fmt::format(
                "{}: no line '\\.' ends its data (from line {} to the end of the section, which would be "
                "loaded as rows)",
                quoted_head(statement.text), section.line_of(statement.copy_rows->offset));
        }
        return {};
    case StatementKind::other: break;
    }
    return {};
}

}  // namespace

void check_statements(const std::filesystem::path& path, const Section& section, std::string_view kind) {
    for (const Statement& statement : split_statements(section.sql)) {
        if (const std::string why = refusal(section, statement, kind); !why.empty()) {
            throw Error(exit_code::invalid_set,
                        fmt::format("{}:{}: {}", path.string(), section.line_of(statement.offset), why));
        }
    }
}

}  // namespace pgentry::migrations
