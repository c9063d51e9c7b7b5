#include "migrations/statement_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgentry::migrations {
namespace {

struct SplitCase {
    const char* name;
    std::string input;
    std::vector<std::string> expected;
};

void PrintTo(const SplitCase& c, std::ostream* os) {
    *os << c.name;
}

std::vector<std::string> texts(const std::vector<Statement>& statements) {
    std::vector<std::string> out;
    for (const Statement& s : statements) {
        out.emplace_back(s.text);
    }
    return out;
}

// An independent, deliberately naive reading of "only blanks, comments and ';'": what the
// splitter leaves between statements must pass it.
bool is_gap(std::string_view gap) {
    std::size_t i = 0;
    while (i < gap.size()) {
        if (gap.substr(i, 2) == "--") {
            i = std::min(gap.find('\n', i), gap.size());
        } else if (gap.substr(i, 2) == "/*") {
            int depth = 0;
            do {
                if (gap.substr(i, 2) == "/*") {
                    ++depth;
                    i += 2;
                } else if (gap.substr(i, 2) == "*/") {
                    --depth;
                    i += 2;
                } else if (++i > gap.size()) {
                    return false;
                }
            } while (depth > 0);
        } else if (std::string_view(" \t\r\n\f\v;").find(gap[i]) != std::string_view::npos) {
            ++i;
        } else {
            return false;
        }
    }
    return true;
}

class StatementSplitterTable : public ::testing::TestWithParam<SplitCase> {};

TEST_P(StatementSplitterTable, SplitsAsExpected) {
    const SplitCase& c = GetParam();
    EXPECT_EQ(texts(split_statements(c.input)), c.expected);
}

TEST_P(StatementSplitterTable, TextIsTheInputAtOffset) {
    const std::string& input = GetParam().input;
    for (const Statement& s : split_statements(input)) {
        EXPECT_EQ(s.text, input.substr(s.offset, s.text.size()));
        EXPECT_EQ(s.text.data(), input.data() + s.offset);
    }
}

TEST_P(StatementSplitterTable, OnlyBlanksCommentsAndSemicolonsBetweenStatements) {
    const std::string& input = GetParam().input;
    std::size_t previous_end = 0;
    for (const Statement& s : split_statements(input)) {
        ASSERT_GE(s.offset, previous_end);
        EXPECT_TRUE(is_gap(std::string_view(input).substr(previous_end, s.offset - previous_end)))
            << "before offset " << s.offset;
        previous_end = s.offset + s.text.size();
    }
    EXPECT_TRUE(is_gap(std::string_view(input).substr(previous_end))) << "after the last statement";
}

const std::string create_atomic =
    "CREATE FUNCTION grade(score int) RETURNS text LANGUAGE sql\n"
    "BEGIN ATOMIC\n"
    "  SELECT CASE WHEN score > 90 THEN 'a;' ELSE 'b' END;\n"
    "  SELECT 'done';\n"
    "END;";

const std::string create_or_replace_procedure =
    "create or replace procedure p() language sql begin atomic insert into t values (1); end;";

INSTANTIATE_TEST_SUITE_P(
    Cases, StatementSplitterTable,
    ::testing::Values(
        SplitCase{"empty", "", {}}, SplitCase{"only_blanks", " \n\t\n", {}},
        SplitCase{"only_comments", "-- one; two\n/* three; */\n", {}},
        SplitCase{"lone_semicolons", ";\n ; ;", {}},
        SplitCase{"two_statements", "SELECT 1;\nSELECT 2;\n", {"SELECT 1;", "SELECT 2;"}},
        SplitCase{"last_without_semicolon", "SELECT 1;\nSELECT 2  \n", {"SELECT 1;", "SELECT 2"}},
        SplitCase{"trailing_comment_outside", "SELECT 1 -- done\n/* end */\n", {"SELECT 1"}},
        SplitCase{"leading_comment_outside", "-- first\n/* x; */ SELECT 1;", {"SELECT 1;"}},
        SplitCase{"crlf", "SELECT 1;\r\nSELECT 2;\r\n", {"SELECT 1;", "SELECT 2;"}},
        SplitCase{"doubled_quote", "SELECT 'it''s; fine';SELECT 2;", {"SELECT 'it''s; fine';", "SELECT 2;"}},
        SplitCase{"backslash_plain_string", "SELECT 'a\\';SELECT 2;", {"SELECT 'a\\';", "SELECT 2;"}},
        SplitCase{"escape_string", "SELECT E'it\\'s; ok';SELECT 2;", {"SELECT E'it\\'s; ok';", "SELECT 2;"}},
        SplitCase{"escape_string_lower", "SELECT e'\\\\';SELECT 2;", {"SELECT e'\\\\';", "SELECT 2;"}},
        SplitCase{"e_suffix_is_not_escape", "SELECT type'a\\';SELECT 2;", {"SELECT type'a\\';", "SELECT 2;"}},
        SplitCase{"unicode_string", "SELECT U&'d\\0061t;';SELECT 2;", {"SELECT U&'d\\0061t;';", "SELECT 2;"}},
        SplitCase{
            "quoted_identifier", "SELECT 1 AS \"a;b\";SELECT 2;", {"SELECT 1 AS \"a;b\";", "SELECT 2;"}},
        SplitCase{"quoted_identifier_doubled", "SELECT 1 AS \"a\"\";b\";", {"SELECT 1 AS \"a\"\";b\";"}},
        SplitCase{"dollar_quote", "SELECT $$a;b$$;SELECT 2;", {"SELECT $$a;b$$;", "SELECT 2;"}},
        SplitCase{"nested_dollar_quotes",
                  "DO $a$ BEGIN PERFORM $$ ; $$; END $a$;\nSELECT 2;",
                  {"DO $a$ BEGIN PERFORM $$ ; $$; END $a$;", "SELECT 2;"}},
        SplitCase{"dollar_quote_with_longer_tag_inside", "SELECT $a$ $ab$; $a$;", {"SELECT $a$ $ab$; $a$;"}},
        SplitCase{"parameter_is_not_a_quote",
                  "PREPARE q AS SELECT $1, $2;SELECT $a$;$a$;",
                  {"PREPARE q AS SELECT $1, $2;", "SELECT $a$;$a$;"}},
        SplitCase{"dollar_in_identifier", "SELECT a$$b;SELECT $$x;$$;", {"SELECT a$$b;", "SELECT $$x;$$;"}},
        SplitCase{"lone_dollar_is_an_operator", "SELECT 1 $ 2;SELECT $x;", {"SELECT 1 $ 2;", "SELECT $x;"}},
        SplitCase{"nested_block_comment",
                  "SELECT /* a /* b; */ c; */ 1;SELECT 2;",
                  {"SELECT /* a /* b; */ c; */ 1;", "SELECT 2;"}},
        SplitCase{"line_comment_with_semicolon",
                  "SELECT 1 -- no; end\n+ 1;SELECT 2;",
                  {"SELECT 1 -- no; end\n+ 1;", "SELECT 2;"}},
        SplitCase{"semicolon_in_parentheses",
                  "CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2);SELECT 3;",
                  {"CREATE RULE r AS ON INSERT TO t DO (SELECT 1; SELECT 2);", "SELECT 3;"}},
        SplitCase{"begin_atomic_with_case", create_atomic + "\nSELECT 3;", {create_atomic, "SELECT 3;"}},
        SplitCase{"create_or_replace_procedure_atomic",
                  create_or_replace_procedure + "CALL p();",
                  {create_or_replace_procedure, "CALL p();"}},
        SplitCase{"transaction_begin_is_not_atomic",
                  "BEGIN;\nSELECT 1;\nCOMMIT;",
                  {"BEGIN;", "SELECT 1;", "COMMIT;"}},
        SplitCase{"begin_as_parameter_name",
                  "CREATE FUNCTION f(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql;SELECT 2;",
                  {"CREATE FUNCTION f(begin int) RETURNS int AS 'SELECT 1' LANGUAGE sql;", "SELECT 2;"}},
        SplitCase{
            "plpgsql_body_in_dollars",
            "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;SELECT 2;",
            {"CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;", "SELECT 2;"}},
        SplitCase{"quoted_begin_is_not_a_word",
                  "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN \"begin\";SELECT 2;",
                  {"CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN \"begin\";", "SELECT 2;"}},
        SplitCase{"number_glued_to_end",
                  "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1end; END;",
                  {"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1end; END;"}},
        SplitCase{"concurrently",
                  "CREATE INDEX CONCURRENTLY a_idx ON t (a);\nCREATE INDEX CONCURRENTLY b_idx ON t (b);\n",
                  {"CREATE INDEX CONCURRENTLY a_idx ON t (a);", "CREATE INDEX CONCURRENTLY b_idx ON t (b);"}},
        SplitCase{"unterminated_string",
                  "SELECT 1;SELECT 'abc; SELECT 2;\n",
                  {"SELECT 1;", "SELECT 'abc; SELECT 2;\n"}},
        SplitCase{"unterminated_dollar_quote", "SELECT $x$ a; b", {"SELECT $x$ a; b"}},
        SplitCase{"unterminated_comment_is_kept", "SELECT 1; /* a; b", {"SELECT 1;", "/* a; b"}},
        SplitCase{"unterminated_escape_string", "SELECT E'a\\", {"SELECT E'a\\"}}),
    [](const ::testing::TestParamInfo<SplitCase>& info) { return std::string(info.param.name); });

TEST(StatementSplitter, OffsetsPointIntoTheInput) {
    const std::string input = "-- head\n\nSELECT 1;\n  /* c */ SELECT\n2;";
    const std::vector<Statement> statements = split_statements(input);
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[0].offset, 9u);
    EXPECT_EQ(line_at(input, statements[0].offset), 3);
    EXPECT_EQ(line_at(input, statements[1].offset), 4);
}

TEST(StatementSplitter, LineAt) {
    EXPECT_EQ(line_at("", 0), 1);
    EXPECT_EQ(line_at("a\nb\nc", 0), 1);
    EXPECT_EQ(line_at("a\nb\nc", 1), 1);  // the '\n' itself is still on line 1
    EXPECT_EQ(line_at("a\nb\nc", 2), 2);
    EXPECT_EQ(line_at("a\nb\nc", 4), 3);
    EXPECT_EQ(line_at("a\nb\n", 100), 3);  // past the end: the line after the last newline
}

}  // namespace
}  // namespace pgentry::migrations
