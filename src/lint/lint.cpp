#include "lint/lint.hpp"

#include <algorithm>
#include <variant>

#include <boost/json/serialize.hpp>

#include "common/error.hpp"
#include "lint/allow_comments.hpp"
#include "lint/creations.hpp"
#include "lint/parse_tree.hpp"
#include "lint/rules.hpp"
#include "log/log.hpp"
#include "migrations/lines.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::lint {
namespace {

using migrations::Migration;
using migrations::Section;

// The rules the comments before the file's first marker accept for the whole file.
std::set<std::string> file_allowed(const Migration& migration) {
    std::set<std::string> allowed;
    for (auto& [line, rules] : find_allow_comments(migration.preamble)) {
        allowed.merge(rules);
    }
    return allowed;
}

// COPY rows are data, not SQL: blanked but for their CRs and LFs (lines count the same) so that a quote in
// them cannot hide a comment.
std::string without_copy_rows(const Section& section, const std::vector<migrations::Statement>& statements) {
    std::string text = section.sql;
    for (const migrations::Statement& statement : statements) {
        if (statement.copy_rows) {
            const std::size_t end = statement.copy_rows->offset + statement.copy_rows->text.size();
            for (std::size_t i = statement.copy_rows->offset; i < end; ++i) {
                text[i] = text[i] == '\n' || text[i] == '\r' ? text[i] : ' ';
            }
        }
    }
    return text;
}

class Linter {
public:
    Findings findings() && {
        std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
            return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
        });
        return std::move(findings_);
    }

    void lint(const Migration& migration) {
        const Section& section = migration.up;
        known_.begin_migration();
        const auto statements = migrations::split_statements(section.sql);
        if (statements.empty()) {
            return;
        }
        const std::set<std::string> for_file = file_allowed(migration);
        const std::string code = without_copy_rows(section, statements);
        const AllowedByLine by_line = find_allow_comments(code);
        migrations::LineCounter lines(code);
        for (const migrations::Statement& statement : statements) {
            lines.at(statement.offset);
            const migrations::LineCounter at_statement = lines;  // where its findings count lines from
            const std::set<std::string> allowed =
                statement_allowed(code, statement, lines, by_line, for_file);
            lint_statement(migration, statement, at_statement, allowed);
        }
    }

private:
    // The file's allowances, those on the statement's lines, and those on the comment-only lines right above
    // it (a reason may follow the allow comment). A comment after code on the line above is that code's: in
    // "DROP TABLE a; -- pgentry:allow ban-drop-table" it accepts the DROP, not the statement below it.
    static std::set<std::string> statement_allowed(std::string_view code,
                                                   const migrations::Statement& statement,
                                                   migrations::LineCounter& lines,
                                                   const AllowedByLine& by_line,
                                                   const std::set<std::string>& for_file) {
        std::set<std::string> allowed = for_file;
        const auto [first, begin_of_first] = lines.at(statement.offset);
        const int last = lines.at(statement.offset + statement.text.size() - 1).line;
        for (auto it = by_line.lower_bound(first); it != by_line.end() && it->first <= last; ++it) {
            allowed.insert(it->second.begin(), it->second.end());
        }
        std::size_t begin = begin_of_first;
        for (int line = first - 1; line >= 1 && begin > 0; --line) {
            const std::string_view text = migrations::line_before(code, begin);
            begin = static_cast<std::size_t>(text.data() - code.data());
            const std::size_t start = text.find_first_not_of(" \t");
            if (start == std::string_view::npos || text.substr(start, 2) != "--") {
                break;
            }
            if (const auto it = by_line.find(line); it != by_line.end()) {
                allowed.insert(it->second.begin(), it->second.end());
            }
        }
        return allowed;
    }

    void lint_statement(const Migration& migration, const migrations::Statement& statement,
                        const migrations::LineCounter& at_statement, const std::set<std::string>& allowed) {
        const Section& section = migration.up;
        const auto report = [&](std::string_view rule, std::size_t offset, std::string message,
                                Severity severity) {
            if (!allowed.contains(std::string(rule))) {
                const auto [line, line_begin] = migrations::LineCounter(at_statement).at(offset);
                findings_.push_back({std::string(rule), migration.path, section.first_line + line - 1,
                                     static_cast<int>(offset - line_begin + 1), std::move(message),
                                     severity});
            }
        };
        auto parsed = parse_statement(statement.text);
        if (const auto* error = std::get_if<SyntaxError>(&parsed)) {
            report(syntax_error_rule, statement.offset + error->offset,
                   "PostgreSQL 15's parser: " + error->message + "; not checked (the server decides)",
                   Severity::note);
            return;
        }
        for (const boost::json::object& raw : std::get<ParseTree>(parsed)) {
            if (raw.empty()) {
                continue;
            }
            const auto& [type, members] = *raw.begin();
            if (!members.is_object()) {
                continue;
            }
            const StatementView view{type, members.as_object(), section.transaction};
            for (const Rule& rule : rules()) {
                std::vector<std::string> messages;
                rule.check(view, known_, messages);
                for (std::string& message : messages) {
                    report(rule.name, statement.offset, std::move(message), Severity::hazard);
                }
            }
            record_creations(view, known_);
        }
    }

    NewObjects known_;
    Findings findings_;
};

}  // namespace

Findings check_run(const std::vector<const Migration*>& run) {
    Linter linter;
    for (const Migration* migration : run) {
        linter.lint(*migration);
    }
    return std::move(linter).findings();
}

Findings check(const migrations::MigrationSet& set, const std::set<std::int64_t>& pending) {
    std::vector<const Migration*> run;
    for (const Migration& migration : set.all()) {
        if (pending.contains(migration.version)) {
            run.push_back(&migration);
        }
    }
    return run.empty() ? Findings{} : check_run(run);
}

Findings check_each(const migrations::MigrationSet& set) {
    Findings all;
    for (const Migration& migration : set.all()) {
        Findings findings = check_run({&migration});
        std::move(findings.begin(), findings.end(), std::back_inserter(all));
    }
    return all;
}

bool refuses(const Findings& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& finding) { return finding.severity == Severity::hazard; });
}

std::string to_text(const Finding& finding) {
    return finding.file.string() + ":" + std::to_string(finding.line) + ":" + std::to_string(finding.column) +
           ": " + finding.rule + ": " + finding.message;
}

boost::json::object to_json(const Finding& finding) {
    return {{"file", finding.file.string()},
            {"line", finding.line},
            {"column", finding.column},
            {"rule", finding.rule},
            {"msg", finding.message}};
}

void log_findings(const Findings& findings) {
    for (const Finding& finding : findings) {
        log::warn(to_text(finding), {{"file", finding.file.string()},
                                     {"line", std::int64_t{finding.line}},
                                     {"column", std::int64_t{finding.column}},
                                     {"rule", finding.rule}});
    }
}

int run_lint_mode(const std::filesystem::path& migrations_dir, config::LogFormat format, std::ostream& out) {
    const Findings findings = check_each(migrations::MigrationSet::load(migrations_dir));
    for (const Finding& finding : findings) {
        out << (format == config::LogFormat::json ? boost::json::serialize(to_json(finding))
                                                  : to_text(finding))
            << '\n';
    }
    out.flush();
    // SPEC.md "Modes": lint exits 1 when there are findings, a syntax-error among them, as squawk and eslint
    // do: in CI it catches a typo before deploy; a statement that only a newer server reads takes an allow
    // comment.
    constexpr int found = 1;
    return findings.empty() ? exit_code::ok : found;
}

}  // namespace pgentry::lint
