// "-- pgentry:allow RULE[,RULE...]" (SPEC.md "Rolling updates", Lint): which statement a comment accepts a
// finding for, and which comments are not allow comments at all.
#include <gtest/gtest.h>

#include "lint/allow_comments.hpp"
#include "lint_fixture.hpp"

namespace pgentry::lint {
namespace {

using testing::lint_one;
using Expected = std::vector<std::string>;

TEST(LintAllow, OnTheLineAboveAcceptsThatStatementOnly) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-column\nALTER TABLE users DROP COLUMN a;\n"
                       "ALTER TABLE users DROP COLUMN b;\n"),
              Expected{"ban-drop-column@3:1"});
}

TEST(LintAllow, OnTheSameLineAsTheStatement) {
    EXPECT_EQ(lint_one("DROP TABLE old; -- pgentry:allow ban-drop-table\n"), Expected{});
    EXPECT_EQ(lint_one("ALTER TABLE t\n  DROP COLUMN a; -- pgentry:allow ban-drop-column\n"), Expected{});
}

TEST(LintAllow, AcceptsOnlyTheRulesItNames) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table\nALTER TABLE users DROP COLUMN a;\n"),
              Expected{"ban-drop-column@2:1"});
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-column, renaming-column\n"
                       "ALTER TABLE users DROP COLUMN a, ALTER b TYPE text;\n"),
              Expected{"changing-column-type@2:1"});
}

TEST(LintAllow, AReasonMayFollowOnCommentLines) {
    EXPECT_EQ(
        lint_one(
            "-- pgentry:allow ban-drop-table unused since release 41\n-- (see ADR 12)\nDROP TABLE old;\n"),
        Expected{});
}

TEST(LintAllow, ABlankLineOrAStatementEndsItsReach) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table\n\nDROP TABLE old;\n"),
              Expected{"ban-drop-table@3:1"});
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table\nSELECT 1;\nDROP TABLE old;\n"),
              Expected{"ban-drop-table@3:1"});
}

TEST(LintAllow, AfterCodeItIsThatCodesNotTheNextStatements) {
    EXPECT_EQ(lint_one("DROP TABLE a; -- pgentry:allow ban-drop-table\nDROP TABLE b;\n"),
              Expected{"ban-drop-table@2:1"});
    EXPECT_EQ(lint_one("ALTER TABLE t DROP COLUMN a; -- pgentry:allow ban-drop-column\n"
                       "-- dropping b too\nALTER TABLE t DROP COLUMN b;\n"),
              Expected{"ban-drop-column@3:1"});
}

TEST(LintAllow, BeforeTheFirstMarkerAcceptsForTheWholeFile) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table,ban-drop-column\n-- migrate:up\nDROP TABLE a;\n"
                       "ALTER TABLE b DROP COLUMN c;\nALTER TABLE b RENAME TO d;\n"),
              Expected{"renaming-table@5:1"});
}

TEST(LintAllow, AcceptsASyntaxErrorToo) {
    EXPECT_EQ(lint_one("-- pgentry:allow syntax-error\nMERGE INTO t USING s ON true WHEN MATCHED THEN DO "
                       "NOTHING RETURNING *;\n"),
              Expected{});
}

// PostgreSQL ends a "--" comment, and a line, at a lone CR (scan.l) as at an LF.
TEST(LintAllow, ALoneCrEndsTheCommentAndTheLine) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table\rDROP TABLE old;\rDROP TABLE other;\r"),
              Expected{"ban-drop-table@3:1"});
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table reviewed\r-- (see ADR 12)\rDROP TABLE old;\r\rDROP "
                       "TABLE other;\r"),
              Expected{"ban-drop-table@5:1"});
    EXPECT_EQ(lint_one("-- migrate:up\nSELECT 1;\r  DROP TABLE old; -- pgentry:allow ban-drop-column\r"),
              Expected{"ban-drop-table@3:3"});
}

TEST(LintAllow, BeforeTheFirstMarkerOnlyWithLoneCrs) {
    EXPECT_EQ(lint_one("-- pgentry:allow ban-drop-table\r-- reviewed\n-- migrate:up\nDROP TABLE a;\n"),
              Expected{});
    // An allow comment after the marker stays the next statement's, however the lines before it end.
    EXPECT_EQ(lint_one("-- a\r-- b\r-- c\n-- migrate:up\n-- pgentry:allow ban-drop-table\nDROP TABLE a;\n\n"
                       "DROP TABLE b;\n"),
              Expected{"ban-drop-table@8:1"});
}

TEST(LintAllow, TextInAStringOrABlockCommentIsNoAllowComment) {
    EXPECT_EQ(
        lint_one("INSERT INTO notes VALUES ('\n-- pgentry:allow ban-drop-table\n');\nDROP TABLE old;\n"),
        Expected{"ban-drop-table@4:1"});
    EXPECT_EQ(lint_one("/*\n-- pgentry:allow ban-drop-table\n*/\nDROP TABLE old;\n"),
              Expected{"ban-drop-table@4:1"});
    EXPECT_EQ(lint_one("SELECT $body$\n-- pgentry:allow ban-drop-table\n$body$;\nDROP TABLE old;\n"),
              Expected{"ban-drop-table@4:1"});
}

TEST(LintAllow, CopyRowsAreDataNotSql) {
    // An apostrophe in a row must not open a string that hides the allow comment below it.
    EXPECT_EQ(
        lint_one(
            "COPY names (n) FROM stdin;\nO'Brien\n\\.\n-- pgentry:allow ban-drop-table\nDROP TABLE old;\n"),
        Expected{});
}

TEST(LintAllow, ParsesTheCommentText) {
    EXPECT_EQ(parse_allow_comment(" pgentry:allow a,b"), (std::set<std::string>{"a", "b"}));
    EXPECT_EQ(parse_allow_comment(" pgentry:allow a, b c"), (std::set<std::string>{"a", "b"}));
    EXPECT_EQ(parse_allow_comment("pgentry:allow a because"), (std::set<std::string>{"a"}));
    EXPECT_EQ(parse_allow_comment(" pgentry:allowed a"), std::set<std::string>{});
    EXPECT_EQ(parse_allow_comment(" see pgentry:allow a"), std::set<std::string>{});
    EXPECT_EQ(parse_allow_comment(" pgentry:allow"), std::set<std::string>{});
}

}  // namespace
}  // namespace pgentry::lint
