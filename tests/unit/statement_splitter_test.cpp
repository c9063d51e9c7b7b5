#include "migrations/statement_splitter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "migrations/lines.hpp"

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

// An independent, deliberately naive reading of "only blanks, comments and ';'" (a "--" comment ends at a
// CR or an LF, as in PostgreSQL's scan.l): what the splitter leaves between statements must pass it.
bool is_gap(std::string_view gap) {
    std::size_t i = 0;
    while (i < gap.size()) {
        if (gap.substr(i, 2) == "--") {
            i = std::min(gap.find_first_of("\r\n", i), gap.size());
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
        SplitCase{"unterminated_escape_string", "SELECT E'a\\", {"SELECT E'a\\"}},
        // A CR ends a "--" comment as an LF does (scan.l: newline [\n\r]), and ends nothing else.
        SplitCase{"cr_ends_a_line_comment",
                  "-- add a table\rCREATE TABLE crtab(a int);\r",
                  {"CREATE TABLE crtab(a int);"}},
        SplitCase{"cr_only_lines",
                  "SELECT 1; -- one\rSELECT 2 -- two\r;\rSELECT 3;\r",
                  {"SELECT 1;", "SELECT 2 -- two\r;", "SELECT 3;"}},
        SplitCase{"stray_cr_in_an_lf_file",
                  "-- note\rCREATE TABLE t(a int);\n-- done\n",
                  {"CREATE TABLE t(a int);"}},
        SplitCase{"cr_and_lf_mixed",
                  "SELECT 1;\r\n-- a\rSELECT 2;\n-- b\r\nSELECT 3; -- c\r-- d\nSELECT 4;",
                  {"SELECT 1;", "SELECT 2;", "SELECT 3;", "SELECT 4;"}},
        SplitCase{"line_comment_ending_at_cr_keeps_the_statement_going",
                  "SELECT 1 -- no; end\r+ 1;SELECT 2;",
                  {"SELECT 1 -- no; end\r+ 1;", "SELECT 2;"}},
        SplitCase{"cr_in_a_string", "SELECT 'a\r-- b;';SELECT 2;", {"SELECT 'a\r-- b;';", "SELECT 2;"}},
        SplitCase{"cr_in_an_escape_string",
                  "SELECT E'a\\\r-- \\';';SELECT 2;",
                  {"SELECT E'a\\\r-- \\';';", "SELECT 2;"}},
        SplitCase{"cr_in_a_quoted_identifier",
                  "SELECT 1 AS \"a\r-- ;b\";SELECT 2;",
                  {"SELECT 1 AS \"a\r-- ;b\";", "SELECT 2;"}},
        SplitCase{"cr_in_a_dollar_quote",
                  "DO $x$ BEGIN\r-- ;\rPERFORM 1; END $x$;\rSELECT 2;",
                  {"DO $x$ BEGIN\r-- ;\rPERFORM 1; END $x$;", "SELECT 2;"}},
        SplitCase{"cr_in_a_block_comment",
                  "SELECT /* a\r-- b; */ 1;\r/* c\r;\r*/SELECT 2;",
                  {"SELECT /* a\r-- b; */ 1;", "SELECT 2;"}},
        SplitCase{
            "cr_in_a_begin_atomic_body",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\rBEGIN ATOMIC -- body\rSELECT 1;\rEND;\rSELECT 2;",
            {"CREATE FUNCTION f() RETURNS int LANGUAGE sql\rBEGIN ATOMIC -- body\rSELECT 1;\rEND;",
             "SELECT 2;"}}),
    [](const ::testing::TestParamInfo<SplitCase>& info) { return std::string(info.param.name); });

TEST(StatementSplitter, OffsetsPointIntoTheInput) {
    const std::string input = "-- head\n\nSELECT 1;\n  /* c */ SELECT\n2;";
    const std::vector<Statement> statements = split_statements(input);
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(statements[0].offset, 9u);
    EXPECT_EQ(line_at(input, statements[0].offset), 3);
    EXPECT_EQ(line_at(input, statements[1].offset), 4);
}

TEST(StatementSplitter, LinesAfterLoneCrsAreCounted) {
    const std::string input = "-- head\rSELECT 1;\r\rSELECT\n2;";
    const std::vector<Statement> statements = split_statements(input);
    ASSERT_EQ(statements.size(), 2u);
    EXPECT_EQ(line_at(input, statements[0].offset), 2);
    EXPECT_EQ(line_at(input, statements[1].offset), 4);
}

// ---- COPY ... FROM STDIN with inline data, as pg_dump writes it and psql -f loads it

// The one statement of input that is a COPY, checked to be one.
Statement the_copy(const std::vector<Statement>& statements) {
    for (const Statement& s : statements) {
        if (s.kind == StatementKind::copy_from_client || s.kind == StatementKind::copy_to_client) {
            return s;
        }
    }
    ADD_FAILURE() << "no COPY statement";
    return {};
}

TEST(StatementSplitterCopy, DataLinesUpToBackslashDotBelongToTheCopy) {
    const std::string input =
        "CREATE TABLE items (id int, label text);\nCOPY items (id, label) FROM stdin;\n1\tone\n2\ttwo\n\\.\n"
        "SELECT 1;\n";
    const auto statements = split_statements(input);
    EXPECT_EQ(texts(statements),
              (std::vector<std::string>{"CREATE TABLE items (id int, label text);",
                                        "COPY items (id, label) FROM stdin;", "SELECT 1;"}));
    ASSERT_EQ(statements.size(), 3u);
    EXPECT_EQ(statements[0].kind, StatementKind::other);
    EXPECT_FALSE(statements[0].copy_rows);
    EXPECT_EQ(statements[1].kind, StatementKind::copy_from_client);
    ASSERT_TRUE(statements[1].copy_rows);
    EXPECT_EQ(statements[1].copy_rows->text, "1\tone\n2\ttwo\n");
    EXPECT_TRUE(statements[1].copy_rows->terminated);
    EXPECT_EQ(line_at(input, statements[1].copy_rows->offset), 3);
    EXPECT_EQ(statements[1].copy_rows->text.data(), input.data() + statements[1].copy_rows->offset);
    EXPECT_EQ(line_at(input, statements[2].offset), 6);  // the data lines count
}

TEST(StatementSplitterCopy, DataIsNotSql) {
    // Every line would change how SQL splits: ';', an open quote, a dollar quote, a comment opener.
    const std::string rows = "a;b\t'it\n$$\t\"q\n/* no\n-- not a comment;\nBEGIN;\n\\. not the end\n";
    const std::string input = "COPY t FROM STDIN;\n" + rows + "\\.\nSELECT 2;";
    const auto statements = split_statements(input);
    EXPECT_EQ(texts(statements), (std::vector<std::string>{"COPY t FROM STDIN;", "SELECT 2;"}));
    EXPECT_EQ(the_copy(statements).copy_rows->text, rows);
}

TEST(StatementSplitterCopy, EmptyData) {
    const auto statements = split_statements("COPY t FROM stdin;\n\\.\n");
    ASSERT_EQ(statements.size(), 1u);
    ASSERT_TRUE(statements[0].copy_rows);
    EXPECT_EQ(statements[0].copy_rows->text, "");
    EXPECT_TRUE(statements[0].copy_rows->terminated);
}

TEST(StatementSplitterCopy, MissingBackslashDotRunsToTheEnd) {
    const std::string input = "COPY t FROM stdin;\n1\n2\nSELECT 2;\n";
    const auto statements = split_statements(input);
    ASSERT_EQ(statements.size(), 1u);
    ASSERT_TRUE(statements[0].copy_rows);
    EXPECT_EQ(statements[0].copy_rows->text, "1\n2\nSELECT 2;\n");
    EXPECT_FALSE(statements[0].copy_rows->terminated);
    EXPECT_EQ(line_at(input, statements[0].copy_rows->offset), 2);
}

TEST(StatementSplitterCopy, Crlf) {
    const auto statements = split_statements("COPY t FROM stdin;\r\n1\tx\r\n\\.\r\nSELECT 2;\r\n");
    EXPECT_EQ(texts(statements), (std::vector<std::string>{"COPY t FROM stdin;", "SELECT 2;"}));
    ASSERT_TRUE(statements[0].copy_rows);
    EXPECT_EQ(statements[0].copy_rows->text, "1\tx\r\n");
    EXPECT_TRUE(statements[0].copy_rows->terminated);
}

TEST(StatementSplitterCopy, LastLineWithoutNewline) {
    const auto statements = split_statements("COPY t FROM stdin;\n1\n\\.");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].copy_rows->text, "1\n");
    EXPECT_TRUE(statements[0].copy_rows->terminated);
}

TEST(StatementSplitterCopy, FromClientSpellings) {
    for (const char* copy :
         {"COPY x FROM STDIN WITH (FORMAT csv, HEADER true);", "copy x from stdin;",
          "COPY public.x (a, \"B\") FROM stdin;", "COPY x FROM /* where */ STDIN;", "COPY x FROM STDOUT;",
          "COPY BINARY x FROM STDIN;", "COPY x FROM STDIN WHERE a > 1;", "Copy X From StdIn Csv Header;"}) {
        const std::string input = std::string(copy) + " -- rows follow\n1\n\\.\n";
        const auto statements = split_statements(input);
        ASSERT_EQ(statements.size(), 1u) << copy;
        EXPECT_EQ(statements[0].kind, StatementKind::copy_from_client) << copy;
        ASSERT_TRUE(statements[0].copy_rows) << copy;
        EXPECT_EQ(statements[0].copy_rows->text, "1\n") << copy;
    }
}

TEST(StatementSplitterCopy, ToClientSpellings) {
    for (const char* copy : {"COPY x TO STDOUT;", "copy x to stdout with (format csv);",
                             "COPY (SELECT * FROM stdin_log) TO STDOUT;", "COPY x TO STDIN;"}) {
        const auto statements = split_statements(copy);
        ASSERT_EQ(statements.size(), 1u) << copy;
        EXPECT_EQ(statements[0].kind, StatementKind::copy_to_client) << copy;
        EXPECT_FALSE(statements[0].copy_rows) << copy;
    }
}

TEST(StatementSplitterCopy, OtherCopiesAreOrdinaryStatements) {
    for (const char* copy :
         {"COPY x FROM '/file';", "COPY x TO '/tmp/x.csv';", "COPY x FROM PROGRAM 'cat stdin';",
          "COPY (SELECT stdin FROM t) TO '/f';", "SELECT 'COPY x FROM stdin';", "CREATE TABLE stdin (a int);",
          "INSERT INTO x SELECT * FROM stdin;"}) {
        const std::string input = std::string(copy) + "\nSELECT 2;\n";
        const auto statements = split_statements(input);
        EXPECT_EQ(texts(statements), (std::vector<std::string>{copy, "SELECT 2;"})) << copy;
        EXPECT_EQ(statements[0].kind, StatementKind::other) << copy;
        EXPECT_FALSE(statements[0].copy_rows) << copy;
    }
}

TEST(StatementSplitterCopy, SqlAfterTheCopyOnItsLineMeansNoData) {
    // psql would run SELECT 1 after the data; pgentry refuses the COPY (statement_rules) instead of guessing.
    const auto statements = split_statements("COPY t FROM stdin; SELECT 1;\n2;\n");
    EXPECT_EQ(texts(statements), (std::vector<std::string>{"COPY t FROM stdin;", "SELECT 1;", "2;"}));
    EXPECT_EQ(statements[0].kind, StatementKind::copy_from_client);
    EXPECT_FALSE(statements[0].copy_rows);
    // A block comment that goes on past the line, too.
    EXPECT_FALSE(split_statements("COPY t FROM stdin; /* a\n*/\n1\n\\.\n")[0].copy_rows);
}

TEST(StatementSplitterCopy, SqlAfterALoneCrOnTheCopysLineMeansNoData) {
    // The comment ends at the CR: SELECT 1 is SQL on the COPY's line, not part of the comment.
    const auto statements = split_statements("COPY t FROM stdin; -- rows follow\rSELECT 1;\n1\n\\.\n");
    ASSERT_GE(statements.size(), 2u);
    EXPECT_EQ(statements[0].kind, StatementKind::copy_from_client);
    EXPECT_FALSE(statements[0].copy_rows);
    EXPECT_EQ(statements[1].text, "SELECT 1;");
}

TEST(StatementSplitterCopy, DataLinesEndAtLfAsPsqlReadsThem) {
    // A CR in the data is data: psql reads the rows up to LF, the server decides what a CR in them means.
    const auto statements = split_statements("COPY t FROM stdin; -- rows\n1\ra\n\\.\nSELECT 2;");
    EXPECT_EQ(texts(statements), (std::vector<std::string>{"COPY t FROM stdin;", "SELECT 2;"}));
    ASSERT_TRUE(statements[0].copy_rows);
    EXPECT_EQ(statements[0].copy_rows->text, "1\ra\n");
}

TEST(StatementSplitterCopy, WithoutSemicolonAtTheEndThereIsNoData) {
    const auto statements = split_statements("COPY t FROM stdin\n");
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].kind, StatementKind::copy_from_client);
    EXPECT_FALSE(statements[0].copy_rows);
}

TEST(StatementSplitterCopy, SplittingTheStatementAgainGivesItBack) {
    const std::string input = "COPY t FROM stdin;\n1\n\\.\n";
    const auto again = split_statements(split_statements(input)[0].text);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].text, "COPY t FROM stdin;");
    EXPECT_EQ(again[0].kind, StatementKind::copy_from_client);
}

// ---- transaction control, by the statement's first words

struct KindCase {
    const char* sql;
    StatementKind kind;
};

void PrintTo(const KindCase& c, std::ostream* os) {
    *os << c.sql;
}

class StatementKindTable : public ::testing::TestWithParam<KindCase> {};

TEST_P(StatementKindTable, ClassifiesTheStatement) {
    const auto statements = split_statements(GetParam().sql);
    ASSERT_EQ(statements.size(), 1u);
    EXPECT_EQ(statements[0].kind, GetParam().kind);
}

constexpr auto control = StatementKind::transaction_control;
constexpr auto other = StatementKind::other;

INSTANTIATE_TEST_SUITE_P(
    Cases, StatementKindTable,
    ::testing::Values(
        KindCase{"BEGIN;", control}, KindCase{"begin transaction isolation level serializable;", control},
        KindCase{"BEGIN WORK", control}, KindCase{"START TRANSACTION;", control},
        KindCase{"start transaction read only;", control}, KindCase{"COMMIT;", control},
        KindCase{"COMMIT AND CHAIN;", control}, KindCase{"commit work;", control}, KindCase{"END;", control},
        KindCase{"END TRANSACTION;", control}, KindCase{"ROLLBACK;", control},
        KindCase{"rollback work;", control}, KindCase{"ROLLBACK AND CHAIN;", control},
        KindCase{"ABORT;", control}, KindCase{"PREPARE TRANSACTION 'gid';", control},
        KindCase{"COMMIT PREPARED 'gid';", control}, KindCase{"ROLLBACK PREPARED 'gid';", control},
        KindCase{"COMMIT /* now */ AND CHAIN;", control}, KindCase{"ROLLBACK TO SAVEPOINT a;", other},
        KindCase{"ROLLBACK TO a;", other}, KindCase{"rollback work to savepoint a;", other},
        KindCase{"ROLLBACK TRANSACTION TO a;", other}, KindCase{"SAVEPOINT a;", other},
        KindCase{"RELEASE SAVEPOINT a;", other}, KindCase{"RELEASE a;", other},
        KindCase{"PREPARE q AS SELECT 1;", other}, KindCase{"PREPARE transaction AS SELECT 1;", other},
        KindCase{"PREPARE transaction (int) AS SELECT $1;", other}, KindCase{"START_REPLICATION;", other},
        KindCase{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;", other},
        KindCase{"DO $$ BEGIN COMMIT; END $$;", other},
        KindCase{"CREATE FUNCTION f(int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN IF $1 > 0 THEN RETURN 1; "
                 "END IF; RETURN 0; END $$;",
                 other},
        KindCase{
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; "
            "END;",
            other},
        KindCase{"SELECT CASE WHEN a THEN 1 END FROM t;", other}, KindCase{"begin_date;", other},
        KindCase{"\"begin\";", other}, KindCase{"COPY t FROM STDIN;", StatementKind::copy_from_client},
        KindCase{"COPY t TO STDOUT;", StatementKind::copy_to_client}));

}  // namespace
}  // namespace pgentry::migrations
