// Fuzz target: the rolling-update lint over one migration file (pgentry::lint::check_run).
// Input: the file's body, any bytes. A body that the file parser refuses (Error 65) never reaches the lint,
// as in pgentry; every other one is linted as a pending run of that one migration.
// Properties, beyond not crashing (PostgreSQL's parser sees the text of every statement):
//   - check_run never throws: SQL it cannot read is a syntax-error finding (SPEC.md: never a refusal);
//   - every finding names the file, a line of it and a column >= 1, a rule and a message;
//   - findings come in file, line, column order;
//   - the lint is deterministic: a second run gives the same findings.
#include "lint/lint.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "common/error.hpp"
#include "migrations/migration.hpp"

using pgentry::fuzz::check;
namespace lint = pgentry::lint;
namespace migrations = pgentry::migrations;

namespace {

constexpr std::string_view path = "fuzz.sql";

// Lines as PostgreSQL counts them: each LF, CRLF or lone CR ends one.
int line_count(std::string_view text) {
    int lines = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool lone_cr = text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n');
        lines += text[i] == '\n' || lone_cr ? 1 : 0;
    }
    return lines;
}

std::string shown(const lint::Findings& findings) {
    std::string text;
    for (const lint::Finding& finding : findings) {
        text += lint::to_text(finding) + "\n";
    }
    return text;
}

lint::Findings check_run(const migrations::Migration& migration, std::string_view body) {
    try {
        return lint::check_run({&migration});
    } catch (const std::exception& error) {
        pgentry::fuzz::violated(std::string("check_run never throws: ") + error.what(), body);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view body = pgentry::fuzz::as_text(data, size);
    migrations::Migration migration;
    try {
        migration = migrations::parse_migration({1, "fuzz"}, path, body);
    } catch (const pgentry::Error&) {
        return 0;  // refused before any lint, as pgentry refuses the set (65)
    }
    const lint::Findings findings = check_run(migration, body);
    const int lines = line_count(body);
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const lint::Finding& finding = findings[i];
        check(finding.file == path, "a finding names the file", lint::to_text(finding));
        check(finding.line >= 1 && finding.line <= lines, "a finding's line is a line of the file",
              lint::to_text(finding));
        check(finding.column >= 1, "a finding's column is 1 or more", lint::to_text(finding));
        check(!finding.rule.empty() && !finding.message.empty(), "a finding has a rule and a message",
              lint::to_text(finding));
        if (i > 0) {
            const lint::Finding& before = findings[i - 1];
            check(before.line < finding.line ||
                      (before.line == finding.line && before.column <= finding.column),
                  "findings are in line, column order", shown(findings));
        }
    }
    check(shown(findings) == shown(check_run(migration, body)), "the lint is deterministic", body);
    return 0;
}
