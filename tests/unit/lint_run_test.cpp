// The lint as pgentry runs it: the pending run as one (what an earlier pending migration creates is new),
// exact FILE:LINE:COL, the JSON fields, --mode=lint's output and exit code.
#include <chrono>
#include <sstream>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "lint_fixture.hpp"

namespace pgentry::lint {
namespace {

using testing::LintDir;
using testing::summary;
using Expected = std::vector<std::string>;

TEST(LintRun, WhatAnEarlierPendingMigrationCreatesIsNew) {
    const LintDir dir;
    dir.write("1_create.sql", "CREATE TABLE events (id int, kind text);\n");
    dir.write("2_alter.sql",
              "-- migrate:up\nALTER TABLE events DROP COLUMN kind;\nCREATE INDEX ON events (id);\n");
    EXPECT_EQ(summary(dir.check_all()), Expected{});

    // With 1 applied (not pending), events is old: both statements are hazards.
    const auto set = migrations::MigrationSet::load(dir.path());
    EXPECT_EQ(summary(check(set, {2})),
              (Expected{"ban-drop-column@2:1", "require-concurrent-index-creation@3:1"}));
    // --mode=lint judges each file on its own.
    EXPECT_EQ(summary(check_each(set)),
              (Expected{"ban-drop-column@2:1", "require-concurrent-index-creation@3:1"}));
}

TEST(LintRun, NothingPendingNothingChecked) {
    const LintDir dir;
    dir.write("1_drop.sql", "DROP TABLE users;\n");
    EXPECT_TRUE(check(migrations::MigrationSet::load(dir.path()), {}).empty());
}

TEST(LintRun, LocationIsTheStatementsLineAndColumnInTheFile) {
    const LintDir dir;
    dir.write("20240712093000_remove_last_name.sql",
              "-- a comment\n-- migrate:up\nSELECT 1;\n\n   ALTER TABLE users\n     DROP COLUMN last_name;\n"
              "-- migrate:down\nALTER TABLE users ADD COLUMN last_name text;\n");
    const Findings findings = dir.check_all();
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(
        to_text(findings[0]),
        (dir.path() / "20240712093000_remove_last_name.sql").string() +
            ":5:4: ban-drop-column: the previous release still reads \"users\".\"last_name\"; stop using it "
            "in one release, drop it in the next");
    const boost::json::object json = to_json(findings[0]);
    EXPECT_EQ(json.at("file").as_string(), (dir.path() / "20240712093000_remove_last_name.sql").string());
    EXPECT_EQ(json.at("line").as_int64(), 5);
    EXPECT_EQ(json.at("column").as_int64(), 4);
    EXPECT_EQ(json.at("rule").as_string(), "ban-drop-column");
    EXPECT_TRUE(json.at("msg").as_string().starts_with("the previous release still reads"));
    EXPECT_EQ(json.size(), 5u);
}

TEST(LintRun, CrlfFilesAndByteOrderMarksKeepTheirLines) {
    const LintDir dir;
    dir.write("1_m.sql", "\xEF\xBB\xBF-- migrate:up\r\nSELECT 1;\r\nDROP TABLE t;\r\n");
    EXPECT_EQ(summary(dir.check_all()), Expected{"ban-drop-table@3:1"});
}

TEST(LintRun, ASyntaxErrorIsANoteNeverARefusal) {
    const LintDir dir;
    dir.write("1_m.sql", "CREATE TABLE t (a int\n  b int);\n");
    const Findings findings = dir.check_all();
    ASSERT_EQ(summary(findings), Expected{"syntax-error@2:3"});
    EXPECT_EQ(findings[0].severity, Severity::note);
    EXPECT_NE(findings[0].message.find("syntax error at or near \"b\""), std::string::npos)
        << findings[0].message;
    EXPECT_FALSE(refuses(findings));
}

TEST(LintRun, LintModePrintsOneFindingPerLineAndExitsOneWhenThereAreSome) {
    const LintDir dir;
    dir.write("1_ok.sql", "CREATE TABLE t (id int);\n");
    dir.write("2_bad.sql", "DROP TABLE t;\nALTER TABLE u RENAME TO v;\n");
    std::ostringstream text;
    EXPECT_EQ(run_lint_mode(dir.path(), config::LogFormat::text, text), 1);
    const std::string file = (dir.path() / "2_bad.sql").string();
    EXPECT_EQ(text.str(),
              file +
                  ":1:1: ban-drop-table: the previous release still uses \"t\"; stop using it in one "
                  "release, drop it in the next\n" +
                  file +
                  ":2:1: renaming-table: the previous release still uses \"u\"; create the new "
                  "table (or a view under the new name) and move over two releases\n");
    std::ostringstream json;
    EXPECT_EQ(run_lint_mode(dir.path(), config::LogFormat::json, json), 1);
    std::istringstream lines(json.str());
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
        EXPECT_TRUE(boost::json::parse(line).as_object().contains("rule")) << line;
        ++count;
    }
    EXPECT_EQ(count, 2);
}

TEST(LintRun, LintModeExitsZeroWithoutFindingsAndOneWithAny) {
    const LintDir dir;
    dir.write("1_ok.sql", "CREATE TABLE t (id int);\n");
    std::ostringstream out;
    EXPECT_EQ(run_lint_mode(dir.path(), config::LogFormat::text, out), 0);
    EXPECT_EQ(out.str(), "");
    dir.write("2_new_syntax.sql", "SELECT 1 FROM;;\n");
    EXPECT_EQ(run_lint_mode(dir.path(), config::LogFormat::text, out), 1);
    EXPECT_NE(out.str().find("syntax-error"), std::string::npos);
    dir.write("2_new_syntax.sql", "-- pgentry:allow syntax-error\nSELECT 1 FROM;;\n");
    std::ostringstream allowed;
    EXPECT_EQ(run_lint_mode(dir.path(), config::LogFormat::text, allowed), 0);
    EXPECT_EQ(allowed.str(), "");
}

TEST(LintRun, BytesThatAreNoUtf8AndDeepNestingAreRead) {
    const LintDir dir;
    dir.write("1_latin1.sql", "INSERT INTO t VALUES ('caf\xe9');\nDROP TABLE \"\xff\";\n");
    dir.write("2_deep.sql", "ALTER TABLE t ADD COLUMN c float DEFAULT " + std::string(500, '(') + "random()" +
                                std::string(500, ')') + ";\n");
    const auto set = migrations::MigrationSet::load(dir.path());
    EXPECT_EQ(summary(check(set, {1})), Expected{"ban-drop-table@2:1"});
    EXPECT_EQ(summary(check(set, {2})), Expected{"adding-field-with-default@1:1"});
}

// goose#74, sql-migrate#90: data migrations of many thousand statements. Each statement's line was counted
// from the start of the file: 20,000 INSERTs took 13 s, 300,000 about 50 minutes with every signal blocked.
TEST(LintRun, ManyStatementsTakeTimeLinearInTheirSize) {
    const LintDir dir;
    std::string inserts = "CREATE TABLE many (id int, v text);\n";
    std::string drops = "-- migrate:up\n";
    for (int i = 0; i < 20000; ++i) {
        inserts += "INSERT INTO many VALUES (" + std::to_string(i) + ", 'row; -- not a comment');\n";
        drops += "DROP TABLE t" + std::to_string(i) + "; ";  // one line: a column far into it
    }
    dir.write("1_inserts.sql", inserts);
    dir.write("2_drops.sql", drops + "\n");
    const auto start = std::chrono::steady_clock::now();
    const Findings findings = dir.check_all();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    ASSERT_EQ(findings.size(), 20000u);
    EXPECT_EQ(findings.back().line, 2);
    EXPECT_EQ(findings.back().column, static_cast<int>(drops.size() - 14 - 19 + 1));
}

TEST(LintRun, TheSameInputGivesTheSameFindings) {
    const LintDir dir;
    dir.write("1_m.sql",
              "ALTER TABLE a DROP COLUMN b, ADD COLUMN c int NOT NULL;\nDROP INDEX i;\nSELECT (;\n");
    const Expected first = summary(dir.check_all());
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(summary(dir.check_all()), first);
    }
    EXPECT_EQ(first.size(), 4u);
}

}  // namespace
}  // namespace pgentry::lint
