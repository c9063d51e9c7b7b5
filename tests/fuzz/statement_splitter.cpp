// Fuzz target: pgentry::migrations::split_statements, on any bytes as a migration section.
// Properties, beyond not crashing:
//   - each statement's text is input.substr(offset, size), and points into the input there;
//   - statements come in order and do not overlap; none is empty or starts with a blank;
//   - a gap (before, between, after statements) holds only blanks, complete comments and ';':
//     splitting the gap again yields no statement;
//   - only a COPY FROM STDIN has copy rows; they start on the line after its ';' (what lies between is a
//     gap on that one line), hold no line "\.", and are followed by one when terminated, else by the end;
//   - gaps, statements, copy rows and their "\." lines joined give back the input, byte for byte
//     (splitting loses nothing);
//   - splitting a statement's text again yields that one statement, whole, of the same kind;
//   - splitting is deterministic.
#include "migrations/statement_splitter.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"

using pgentry::fuzz::check;
using pgentry::migrations::CopyRows;
using pgentry::migrations::split_statements;
using pgentry::migrations::Statement;
using pgentry::migrations::StatementKind;

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void check_gap(std::string_view gap) {
    check(split_statements(gap).empty(), "a gap between statements holds no statement", gap);
}

void check_statement(std::string_view sql, const Statement& statement, std::size_t previous_end) {
    check(statement.offset >= previous_end, "statements are in order and do not overlap");
    check(statement.offset + statement.text.size() <= sql.size(), "a statement lies within the input");
    check(statement.text.data() == sql.data() + statement.offset, "a statement's text points at its offset");
    check(statement.text == sql.substr(statement.offset, statement.text.size()),
          "a statement's text is input.substr(offset, size)");
    check(!statement.text.empty() && !is_blank(statement.text.front()), "a statement starts with a token",
          statement.text);
    const std::vector<Statement> again = split_statements(statement.text);
    check(again.size() == 1 && again.front().offset == 0 && again.front().text == statement.text &&
              again.front().kind == statement.kind,
          "a statement split again is itself", statement.text);
}

bool is_end_of_data(std::string_view line) {
    return line == "\\." || line == "\\.\r";
}

// The copy rows of statement, which ends at statement_end; returns where the input goes on after them.
std::size_t check_copy_rows(std::string_view sql, const Statement& statement, std::string& joined) {
    const std::size_t statement_end = statement.offset + statement.text.size();
    const CopyRows& rows = *statement.copy_rows;
    check(statement.kind == StatementKind::copy_from_client, "only a COPY FROM STDIN has copy rows",
          statement.text);
    check(rows.offset >= statement_end && rows.offset + rows.text.size() <= sql.size(),
          "copy rows lie after their statement, within the input");
    check(rows.text.data() == sql.data() + rows.offset, "copy rows point at their offset");
    const std::string_view rest_of_line = sql.substr(statement_end, rows.offset - statement_end);
    const std::size_t newline = rest_of_line.find('\n');
    const bool next_line = newline != std::string_view::npos && newline + 1 == rest_of_line.size();
    const bool input_ended = newline == std::string_view::npos && rows.offset == sql.size();
    check(next_line || input_ended, "copy rows start on the line after their statement", rest_of_line);
    check_gap(rest_of_line);
    for (std::size_t line = 0; line < rows.text.size();) {
        const std::size_t end = std::min(rows.text.find('\n', line), rows.text.size());
        check(!is_end_of_data(rows.text.substr(line, end - line)), "copy rows hold no line \\.", rows.text);
        line = end + 1;
    }
    joined.append(rest_of_line).append(rows.text);
    std::size_t end = rows.offset + rows.text.size();
    if (!rows.terminated) {
        check(end == sql.size(), "unterminated copy rows run to the end of the input");
        return end;
    }
    const std::size_t line_end = std::min(sql.find('\n', end), sql.size());
    check(is_end_of_data(sql.substr(end, line_end - end)), "terminated copy rows are followed by a line \\.");
    const std::size_t next = std::min(line_end + 1, sql.size());
    joined.append(sql.substr(end, next - end));
    return next;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view sql = pgentry::fuzz::as_text(data, size);
    const std::vector<Statement> statements = split_statements(sql);

    std::string joined;
    std::size_t end = 0;
    for (const Statement& statement : statements) {
        check_statement(sql, statement, end);
        const std::string_view gap = sql.substr(end, statement.offset - end);
        check_gap(gap);
        joined.append(gap).append(statement.text);
        end = statement.offset + statement.text.size();
        if (statement.copy_rows) {
            end = check_copy_rows(sql, statement, joined);
        }
    }
    check_gap(sql.substr(end));
    joined.append(sql.substr(end));
    check(joined == sql, "gaps and statements joined give back the input");

    const std::vector<Statement> twice = split_statements(sql);
    check(twice.size() == statements.size(), "splitting is deterministic (count)");
    for (std::size_t i = 0; i < twice.size(); ++i) {
        check(twice[i].offset == statements[i].offset && twice[i].text.size() == statements[i].text.size() &&
                  twice[i].kind == statements[i].kind &&
                  twice[i].copy_rows.has_value() == statements[i].copy_rows.has_value(),
              "splitting is deterministic (spans)");
    }
    return 0;
}
