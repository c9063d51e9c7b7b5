// pgentry's lint against squawk (npm squawk-cli, the linter whose rule names SPEC uses) on the corpus of
// tests/lint-corpus: for every rule both implement, the same statements are flagged, except where the two
// disagree by design (the table below, each with why pgentry's answer is right; docs/lint.md says the same).
// Skips when squawk is not installed (scripts/install-deps.sh test installs it).
#include <stdio.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include <gtest/gtest.h>

#include "lint/lint.hpp"
#include "lint/rules.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::lint {
namespace {

namespace fs = std::filesystem;

const fs::path corpus = fs::path(PGENTRY_SOURCE_DIR) / "tests" / "lint-corpus";

// squawk from $PGENTRY_SQUAWK, the corpus's own npm install, or PATH; "" when there is none.
std::string find_squawk() {
    if (const char* path = std::getenv("PGENTRY_SQUAWK"); path != nullptr && *path != '\0') {
        return path;
    }
    // squawk's native program, which tests/lint-corpus/package.json installs (no node start-up per run).
    if (const fs::path local = corpus / "node_modules/@squawk-cli/linux-x64/bin/squawk"; fs::exists(local)) {
        return local.string();
    }
    if (const char* path = std::getenv("PATH")) {
        std::string dirs = path;
        for (std::size_t begin = 0; begin <= dirs.size();) {
            const std::size_t end = std::min(dirs.find(':', begin), dirs.size());
            if (const fs::path candidate = fs::path(dirs.substr(begin, end - begin)) / "squawk";
                end > begin && ::access(candidate.c_str(), X_OK) == 0) {
                return candidate.string();
            }
            begin = end + 1;
        }
    }
    return {};
}

std::string run(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        throw std::runtime_error("popen failed: " + command);
    }
    std::string output;
    std::array<char, 4096> buffer;
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
        output.append(buffer.data(), n);
    }
    ::pclose(pipe);
    return output;
}

// A flagged statement: the file, the line its statement starts on, the rule.
using Flag = std::tuple<std::string, int, std::string>;

// Where each statement of a file's up section starts and ends, as (line, column) in the file.
struct StatementSpan {
    std::pair<int, int> begin, end;
};

std::vector<StatementSpan> statement_spans(const migrations::Migration& migration) {
    const migrations::Section& section = migration.up;
    const auto column = [&](std::size_t offset) {
        const std::size_t newline = section.sql.rfind('\n', offset == 0 ? 0 : offset - 1);
        return static_cast<int>(newline == std::string::npos || offset == 0 ? offset + 1 : offset - newline);
    };
    std::vector<StatementSpan> spans;
    for (const auto& statement : migrations::split_statements(section.sql)) {
        const std::size_t last = statement.offset + statement.text.size() - 1;
        spans.push_back({{section.line_of(statement.offset), column(statement.offset)},
                         {section.line_of(last), column(last)}});
    }
    return spans;
}

// The first line of the statement that holds (line, column); 0 when none does (the down section).
int statement_line(const std::vector<StatementSpan>& spans, int line, int column) {
    for (const StatementSpan& span : spans) {
        if (std::pair(line, column) >= span.begin && std::pair(line, column) <= span.end) {
            return span.begin.first;
        }
    }
    return 0;
}

bool shared_rule(const std::string& rule) {
    for (const Rule& known : rules()) {
        if (known.name == rule) {
            return true;
        }
    }
    return false;
}

// squawk's findings of the shared rules in the up sections of migrations, by file name. Its gcc reporter
// counts lines and columns from 0. A transactional section runs in a transaction (--assume-in-transaction), a
// transaction:false one does not: one squawk run for each kind.
std::map<std::string, std::set<Flag>> squawk_flags(const std::string& squawk,
                                                   const std::vector<migrations::Migration>& migrations) {
    std::map<std::string, const migrations::Migration*> by_path;
    std::array<std::string, 2> arguments;  // transaction:false, transactional
    for (const migrations::Migration& migration : migrations) {
        by_path[migration.path.string()] = &migration;
        arguments[migration.up.transaction] += " '" + migration.path.string() + "'";
    }
    std::string output;
    for (const bool in_transaction : {false, true}) {
        output += run("'" + squawk + "' --reporter gcc " + (in_transaction ? "--assume-in-transaction" : "") +
                      arguments[in_transaction] + " 2>&1");
    }
    static const std::regex line_pattern(R"(^(.*):(\d+):(\d+): (?:warning|error): (\S+) )");
    std::map<std::string, std::set<Flag>> flags;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (!std::regex_search(line, match, line_pattern) || !shared_rule(match[4]) ||
            !by_path.contains(match[1])) {
            continue;
        }
        const migrations::Migration& migration = *by_path.at(match[1]);
        const int at =
            statement_line(statement_spans(migration), std::stoi(match[2]) + 1, std::stoi(match[3]) + 1);
        if (at > 0) {  // 0: the down section, which pgentry does not lint
            flags[migration.path.filename().string()].emplace(migration.path.filename().string(), at,
                                                              match[4]);
        }
    }
    return flags;
}

std::set<Flag> pgentry_flags(const migrations::Migration& migration, const Findings& findings) {
    const auto spans = statement_spans(migration);
    std::set<Flag> flags;
    for (const Finding& finding : findings) {
        if (finding.file == migration.path && finding.rule != syntax_error_rule) {
            flags.emplace(migration.path.filename().string(),
                          statement_line(spans, finding.line, finding.column), finding.rule);
        }
    }
    return flags;
}

struct Disagreement {
    Flag flag;
    const char* flagged_by;  // "pgentry" or "squawk"
    const char* reason;      // why pgentry's answer is right
};

// Constant reasons, one per kind of disagreement.
constexpr const char* new_table =
    "the table is created earlier in the same run: empty, and unknown to the previous "
    "release (squawk exempts new tables for a few rules only)";
constexpr const char* new_column =
    "the column is added earlier in the same run: the previous release never reads it";
constexpr const char* allowed = "accepted by a '-- pgentry:allow' comment (squawk's is '-- squawk-ignore')";
constexpr const char* not_valid_unique =
    "UNIQUE and PRIMARY KEY cannot be NOT VALID (the server rejects it): "
    "disallowed-unique-constraint's USING INDEX is the fix";
constexpr const char* primary_key =
    "squawk names ADD PRIMARY KEY 'adding-serial-primary-key-field'; SPEC puts it "
    "under disallowed-unique-constraint (the same index build under ACCESS EXCLUSIVE)";
constexpr const char* single_statement =
    "squawk skips a file of one statement; pgentry knows the section runs in a "
    "transaction, where the server refuses CONCURRENTLY";
constexpr const char* drop_concurrently =
    "DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY are refused in a transaction "
    "too; squawk checks CREATE INDEX only";
constexpr const char* create_table_as = "CREATE TABLE AS creates the table: squawk does not count it as new";

const std::vector<Disagreement> by_design = {
    {{"004_drop_column_of_table_created_here.sql", 3, "ban-drop-column"}, "squawk", new_table},
    {{"005_drop_column_allowed.sql", 3, "ban-drop-column"}, "squawk", allowed},
    {{"008_drop_table_created_here.sql", 5, "ban-drop-table"}, "squawk", new_table},
    {{"014_rename_new_table.sql", 3, "renaming-table"}, "squawk", new_table},
    {{"014_rename_new_table.sql", 4, "renaming-column"}, "squawk", new_table},
    {{"020_add_required_to_new_table.sql", 3, "adding-required-field"}, "squawk", new_table},
    {{"024_set_not_null_new_table.sql", 3, "adding-not-nullable-field"}, "squawk", new_table},
    {{"029_change_type_new_table.sql", 3, "changing-column-type"}, "squawk", new_table},
    {{"036_add_column_default_on_new_table.sql", 3, "adding-field-with-default"}, "squawk", new_table},
    {{"053_add_unique_constraint.sql", 2, "constraint-missing-not-valid"}, "squawk", not_valid_unique},
    {{"057_concurrent_index_in_transaction.sql", 2, "ban-concurrent-index-creation-in-transaction"},
     "pgentry",
     single_statement},
    {{"058_concurrent_index_no_markers.sql", 1, "ban-concurrent-index-creation-in-transaction"},
     "pgentry",
     single_statement},
    {{"061_create_tables_with_references.sql", 10, "adding-required-field"}, "squawk", new_table},
    {{"065_create_table_as_then_index.sql", 3, "require-concurrent-index-creation"},
     "squawk",
     create_table_as},
    {{"065_create_table_as_then_index.sql", 4, "adding-not-nullable-field"}, "squawk", create_table_as},
    {{"068_add_primary_key.sql", 2, "constraint-missing-not-valid"}, "squawk", not_valid_unique},
    {{"070_concurrent_index_after_other_statements.sql", 4, "ban-concurrent-index-creation-in-transaction"},
     "pgentry",
     drop_concurrently},
    {{"068_add_primary_key.sql", 2, "disallowed-unique-constraint"}, "pgentry", primary_key},
    {{"069_set_not_null_and_type_new_column.sql", 4, "ban-drop-column"}, "squawk", new_column},
};

TEST(LintSquawkAgreement, SameStatementsFlaggedOnTheCorpusButForTheListedDisagreements) {
    const std::string squawk = find_squawk();
    if (squawk.empty()) {
        GTEST_SKIP() << "squawk is not installed (scripts/install-deps.sh test, or PGENTRY_SQUAWK=PATH)";
    }
    const auto set = migrations::MigrationSet::load(corpus);
    ASSERT_GE(set.all().size(), 60u);
    const Findings findings = check_each(set);

    std::map<std::string, std::array<int, 3>> per_rule;  // rule -> {both, pgentry only, squawk only}
    std::set<std::tuple<Flag, std::string>> disagreements;
    auto squawk_found = squawk_flags(squawk, set.all());
    for (const migrations::Migration& migration : set.all()) {
        const std::set<Flag> ours = pgentry_flags(migration, findings);
        const std::set<Flag>& theirs = squawk_found[migration.path.filename().string()];
        for (const Flag& flag : ours) {
            const bool both = theirs.contains(flag);
            ++per_rule[std::get<2>(flag)][both ? 0 : 1];
            if (!both) {
                disagreements.emplace(flag, "pgentry");
            }
        }
        for (const Flag& flag : theirs) {
            if (!ours.contains(flag)) {
                ++per_rule[std::get<2>(flag)][2];
                disagreements.emplace(flag, "squawk");
            }
        }
    }
    std::set<std::tuple<Flag, std::string>> expected;
    for (const Disagreement& disagreement : by_design) {
        expected.emplace(disagreement.flag, disagreement.flagged_by);
    }
    for (const auto& [flag, by] : disagreements) {
        EXPECT_TRUE(expected.contains({flag, by}))
            << "unexpected: only " << by << " flags " << std::get<0>(flag) << ":" << std::get<1>(flag) << " "
            << std::get<2>(flag);
    }
    for (const auto& [flag, by] : expected) {
        EXPECT_TRUE(disagreements.contains({flag, by}))
            << "listed but not seen: only " << by << " flags " << std::get<0>(flag) << ":"
            << std::get<1>(flag) << " " << std::get<2>(flag);
    }
    for (const Rule& rule : rules()) {
        const auto& [both, ours, theirs] = per_rule[std::string(rule.name)];
        std::cout << "agreement " << rule.name << ": both " << both << ", only pgentry " << ours
                  << ", only squawk " << theirs << "\n";
        EXPECT_GT(both, 0) << rule.name << ": no statement of the corpus is flagged by both";
    }
}

}  // namespace
}  // namespace pgentry::lint
