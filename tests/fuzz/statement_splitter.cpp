// Fuzz target: pgentry::migrations::split_statements, on any bytes as a migration section.
// Properties, beyond not crashing:
//   - each statement's text is input.substr(offset, size), and points into the input there;
//   - statements come in order and do not overlap; none is empty or starts with a blank;
//   - a gap (before, between, after statements) holds only blanks, complete comments and ';':
//     splitting the gap again yields no statement;
//   - gaps and statements joined give back the input, byte for byte (splitting loses nothing);
//   - splitting a statement's text again yields that one statement, whole;
//   - splitting is deterministic.
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "migrations/statement_splitter.hpp"

using pgentry::fuzz::check;
using pgentry::migrations::split_statements;
using pgentry::migrations::Statement;

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
    check(again.size() == 1 && again.front().offset == 0 && again.front().text == statement.text,
          "a statement split again is itself", statement.text);
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
    }
    check_gap(sql.substr(end));
    joined.append(sql.substr(end));
    check(joined == sql, "gaps and statements joined give back the input");

    const std::vector<Statement> twice = split_statements(sql);
    check(twice.size() == statements.size(), "splitting is deterministic (count)");
    for (std::size_t i = 0; i < twice.size(); ++i) {
        check(twice[i].offset == statements[i].offset && twice[i].text.size() == statements[i].text.size(),
              "splitting is deterministic (spans)");
    }
    return 0;
}
