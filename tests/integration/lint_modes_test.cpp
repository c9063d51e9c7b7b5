// The rolling-update lint as users meet it (SPEC.md "Rolling updates", Lint; "Modes"): --lint=warn|error|off
// before applying, --mode=lint over every file without a database, and --mode=new NAME.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <regex>
#include <sstream>

#include "closed_port.hpp"
#include "migrations/new_migration.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view create_users =
    "-- migrate:up\nCREATE TABLE users (id bigserial PRIMARY KEY, last_name text);\n\n"
    "-- migrate:down\nDROP TABLE users;\n";
constexpr std::string_view drop_last_name =
    "-- migrate:up\nALTER TABLE users DROP COLUMN last_name;\n\n"
    "-- migrate:down\nALTER TABLE users ADD COLUMN last_name text;\n";

std::string read_file(const fs::path& path) {
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream body;
    body << stream.rdbuf();
    return body.str();
}

// The users table applied by an earlier release, and the next release's drop of one of its columns pending.
class LintPolicy : public PgentryTest {
protected:
    void SetUp() override {
        dir.write("20240101000001_create_users.sql", create_users);
        ASSERT_EQ(migrate().exit_code, 0);
        drop_path = dir.write("20240101000002_drop_last_name.sql", drop_last_name).string();
    }
    std::string drop_path;
};

TEST_F(LintPolicy, WarnLogsEachFindingWithItsPlaceAndApplies) {
    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(line_with(result.err, {"[warn]"}), drop_path + ":2:1: ban-drop-column: "));
    EXPECT_FALSE(db.has_column("users", "last_name"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001, 20240101000002}));
}

TEST_F(LintPolicy, WarnIsTheDefaultAndJsonLogsCarryTheFindingsFields) {
    const auto result = migrate({"--log-format=json"});
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::string warning = line_with(result.err, {"\"level\":\"warn\"", "ban-drop-column"});
    EXPECT_TRUE(contains(warning, "\"file\":\"" + drop_path + "\""));
    EXPECT_TRUE(contains(warning, "\"line\":2"));
    EXPECT_TRUE(contains(warning, "\"column\":1"));
    EXPECT_TRUE(contains(warning, "\"rule\":\"ban-drop-column\""));
}

TEST_F(LintPolicy, ErrorExits65BeforeApplyingAnything) {
    dir.write("20240101000003_add_email.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN email text;\n");
    const auto result = migrate({"--lint=error"});
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(contains(result.err, drop_path + ":2:1: ban-drop-column: "));
    EXPECT_TRUE(contains(result.err, "--lint=error"));
    EXPECT_TRUE(contains(result.err, "nothing was applied"));
    EXPECT_TRUE(db.has_column("users", "last_name"));
    EXPECT_FALSE(db.has_column("users", "email"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001}));
    EXPECT_EQ(db.migration_locks(), 0);
}

TEST_F(LintPolicy, ErrorAppliesWhatAnAllowCommentAccepts) {
    dir.write("20240101000002_drop_last_name.sql",
              "-- migrate:up\n-- pgentry:allow ban-drop-column\nALTER TABLE users DROP COLUMN last_name;\n");
    const auto result = migrate({"--lint=error"});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(contains(result.err, "ban-drop-column"));
    EXPECT_FALSE(db.has_column("users", "last_name"));
}

TEST_F(LintPolicy, ErrorAppliesARunWhoseOnlyFindingsAreSyntaxErrors) {
    // PostgreSQL 15's parser (the one pgentry is built with) rejects this; the server does too, so the
    // migration fails with the server's error (70), not the lint's (65): the server decides.
    dir.remove("20240101000002_drop_last_name.sql");
    dir.write("20240101000002_typo.sql", "-- migrate:up\nSELEC 1;\n");
    const auto result = migrate({"--lint=error"});
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_TRUE(contains(result.err, "syntax-error"));
    EXPECT_FALSE(contains(result.err, "--lint=error"));
}

TEST_F(LintPolicy, OffNeverReports) {
    const auto result = migrate({"--lint=off"});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(contains(result.err, "ban-drop-column"));
    EXPECT_FALSE(db.has_column("users", "last_name"));
}

TEST_F(LintPolicy, TheEnvironmentSetsIt) {
    const auto result = pgentry("migrate-only", {}, {{"PGENTRY_LINT", "error"}});
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(db.has_column("users", "last_name"));
}

TEST_F(LintPolicy, NothingPendingReportsNothing) {
    ASSERT_EQ(migrate({"--lint=off"}).exit_code, 0);
    const auto result = migrate({"--lint=error"});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(contains(result.err, "ban-drop-column"));
    EXPECT_TRUE(contains(result.err, "Migrations already up"));
}

TEST_F(LintPolicy, ATableNewInThePendingRunIsNotReported) {
    dir.write("20240101000003_create_notes.sql", "-- migrate:up\nCREATE TABLE notes (id int, body text);\n");
    dir.write("20240101000004_drop_notes_body.sql", "-- migrate:up\nALTER TABLE notes DROP COLUMN body;\n");
    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    const std::vector<std::string> all = lines(result.err);
    const auto findings = std::count_if(all.begin(), all.end(), [](const std::string& line) {
        return line.find("ban-drop-column") != std::string::npos;
    });
    EXPECT_EQ(findings, 1) << result;  // users.last_name, of an applied table; not notes.body, new in the run
    EXPECT_TRUE(contains(line_with(result.err, {"ban-drop-column"}), drop_path));
    EXPECT_FALSE(db.has_column("notes", "body"));
}

// --- --mode=lint -----------------------------------------------------------------------------------------

// --mode=lint with a database URL nothing listens on and a long --wait-timeout: it must not connect.
class LintMode : public PgentryTest {
protected:
    RunResult lint(const Args& extra = {}, const std::string& migrations = "") const {
        Args argv{pgentry_bin(), "--mode=lint",
                  "--migrations-dir=" + (migrations.empty() ? dir.str() : migrations),
                  "--database-url=postgresql://127.0.0.1:" + std::to_string(closed.port()) + "/app",
                  "--wait-timeout=30s"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv, {}, 20s);
    }
    ClosedPort closed;
};

TEST_F(LintMode, PrintsOneFindingPerLineOnStdoutAndExits1WithoutADatabase) {
    const auto create = dir.write("20240101000001_create_users.sql", create_users).string();
    const auto drop = dir.write("20240101000002_drop_last_name.sql", drop_last_name).string();
    dir.write("20240101000003_drop_users.sql", "-- migrate:up\n\nDROP TABLE users;\n");
    const auto result = lint();
    EXPECT_EQ(result.exit_code, 1) << result;
    EXPECT_LT(result.elapsed, 10s);
    const std::vector<std::string> found = lines(result.out);
    ASSERT_EQ(found.size(), 2u) << result;
    EXPECT_TRUE(found[0].starts_with(drop + ":2:1: ban-drop-column: ")) << found[0];
    EXPECT_TRUE(found[1].starts_with(dir.str() + "/20240101000003_drop_users.sql:3:1: ban-drop-table: "))
        << found[1];
    EXPECT_FALSE(contains(result.out, create));
}

TEST_F(LintMode, CleanFilesExit0AndPrintNothing) {
    dir.write("20240101000001_create_users.sql", create_users);
    const auto result = lint();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(result.out, "");
}

TEST_F(LintMode, SyntaxErrorsAreFindingsToo) {
    const auto typo = dir.write("20240101000001_typo.sql", "-- migrate:up\nSELEC 1;\n").string();
    const auto result = lint();
    EXPECT_EQ(result.exit_code, 1) << result;
    EXPECT_TRUE(result.out.starts_with(typo + ":2:1: syntax-error: ")) << result;
}

TEST_F(LintMode, JsonIsOneObjectPerLine) {
    const auto drop = dir.write("20240101000002_drop_last_name.sql", drop_last_name).string();
    const auto result = lint({"--log-format=json"});
    EXPECT_EQ(result.exit_code, 1) << result;
    ASSERT_EQ(lines(result.out).size(), 1u) << result;
    const std::string object = lines(result.out)[0];
    EXPECT_TRUE(object.starts_with("{") && object.ends_with("}")) << object;
    const std::vector<std::string> fields = {"\"file\":\"" + drop + "\"", "\"line\":2", "\"column\":1",
                                             "\"rule\":\"ban-drop-column\"", "\"msg\":\""};
    for (const std::string& field : fields) {
        EXPECT_TRUE(contains(object, field));
    }
}

TEST_F(LintMode, AnInvalidSetIs65AndAMissingDirectory66) {
    dir.write("20240101000001_x.sql", "-- migrate:up\n-- migrate:up\n");
    EXPECT_EQ(lint().exit_code, 65);
    EXPECT_EQ(lint({}, dir.str() + "/missing").exit_code, 66);
}

TEST_F(LintMode, TheStorysMigrationsDropAColumnAndATable) {
    const auto result = lint({}, std::string(PGENTRY_SOURCE_DIR) + "/migrations");
    EXPECT_EQ(result.exit_code, 1) << result;
    EXPECT_TRUE(
        contains(line_with(result.out, {"_remove_last_name_from_users.sql:"}), ": ban-drop-column: "));
    EXPECT_TRUE(contains(line_with(result.out, {"_drop_users.sql:"}), ": ban-drop-table: "));
}

// The example app's story on a fresh database: one pending run creates users, so its drops are not findings,
// and the demo boots without warnings even with --lint=error (README "Lint").
class StoryLint : public PgentryTest {};

TEST_F(StoryLint, AFreshDatabaseAppliesTheStoryWithoutFindings) {
    const auto result =
        run({pgentry_bin(), "--mode=migrate-only", "--lint=error", "--database-url=" + db.url(),
             "--migrations-dir=" + std::string(PGENTRY_SOURCE_DIR) + "/migrations"});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(contains(result.err, "[warn]"));
    EXPECT_EQ(db.applied_versions().size(), 4u);
}

// --- --mode=new --------------------------------------------------------------------------------------------

class NewMode : public PgentryTest {
protected:
    RunResult create(const std::string& name) const {
        return run({pgentry_bin(), "--mode=new", "--migrations-dir=" + dir.str(), name}, {}, 20s);
    }
};

TEST_F(NewMode, CreatesATimestampedFileWithBothMarkersThatMigrates) {
    const std::int64_t before = migrations::timestamp_version(std::chrono::system_clock::now());
    const auto result = create("add_users_table");
    const std::int64_t after = migrations::timestamp_version(std::chrono::system_clock::now());
    ASSERT_EQ(result.exit_code, 0) << result;
    std::smatch match;
    const std::string printed = result.out;
    ASSERT_TRUE(
        std::regex_match(printed, match, std::regex(dir.str() + "/([0-9]{14})_add_users_table\\.sql\n")))
        << result;
    const std::int64_t version = std::stoll(match[1]);
    EXPECT_GE(version, before);
    EXPECT_LE(version, after);
    const std::string body = read_file(printed.substr(0, printed.size() - 1));
    EXPECT_TRUE(contains(body, "-- migrate:up\n"));
    EXPECT_TRUE(contains(body, "-- migrate:down\n"));
    EXPECT_EQ(migrate().exit_code, 0);
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{version}));
}

TEST_F(NewMode, TakesTheNextFreeSecondWhenAFileHasThatVersion) {
    // Ten seconds taken from now on, by files of other names: the new one comes after them.
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    for (int second = 0; second < 10; ++second) {
        dir.write(
            std::to_string(migrations::timestamp_version(now + std::chrono::seconds(second))) + "_taken.sql",
            "");
    }
    const auto result = create("add_users_table");
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(result.out, dir.str() + "/" +
                              std::to_string(migrations::timestamp_version(now + std::chrono::seconds(10))) +
                              "_add_users_table.sql\n");
}

TEST_F(NewMode, AMissingDirectoryIs66AndCreatesNothing) {
    const auto result = run({pgentry_bin(), "--mode=new", "--migrations-dir=" + dir.str() + "/missing", "x"});
    EXPECT_EQ(result.exit_code, 66) << result;
    EXPECT_TRUE(contains(result.err, "migrations directory does not exist"));
    EXPECT_FALSE(fs::exists(dir.path() / "missing"));
}

}  // namespace
}  // namespace pgentry::test
