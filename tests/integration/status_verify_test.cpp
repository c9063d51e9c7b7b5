// Checksums of applied files, and the read-only modes that report on them: status and verify.
#include <regex>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

bool has_word(const std::string& line, const std::string& word) {
    return std::regex_search(line, std::regex("(^|\\s)" + word + "(\\s|$)"));
}

bool has_date(const std::string& line) {
    return std::regex_search(line, std::regex("\\d{4}-\\d{2}-\\d{2}"));
}

std::string table_migration(const std::string& table) {
    return "-- migrate:up\nCREATE TABLE " + table + " (id int);\n\n-- migrate:down\nDROP TABLE " + table +
           ";\n";
}

class Checksums : public PgentryTest {};

TEST_F(Checksums, ChangedAppliedFileStopsMigrateBeforeApplyingAnything) {
    dir.write("20240101000001_first.sql", table_migration("first"));
    dir.write("20240101000002_second.sql", table_migration("second"));
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000001_first.sql", table_migration("first_edited"));
    dir.write("20240101000003_third.sql", table_migration("third"));

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(contains(result.err, "20240101000001"));
    EXPECT_FALSE(db.has_table("third"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001, 20240101000002}));

    const auto verify = pgentry("verify");
    EXPECT_EQ(verify.exit_code, 65) << verify;
}

TEST_F(Checksums, VerifyTellsPendingFromUpToDate) {
    dir.write("20240101000001_first.sql", table_migration("first"));

    const auto nothing_applied = pgentry("verify");
    EXPECT_EQ(nothing_applied.exit_code, 1) << nothing_applied;
    EXPECT_FALSE(db.has_table("first"));

    ASSERT_EQ(migrate().exit_code, 0);
    const auto up_to_date = pgentry("verify");
    EXPECT_EQ(up_to_date.exit_code, 0) << up_to_date;

    dir.write("20240101000002_second.sql", table_migration("second"));
    const auto pending = pgentry("verify");
    EXPECT_EQ(pending.exit_code, 1) << pending;
    EXPECT_FALSE(db.has_table("second"));
}

TEST_F(Checksums, EditingTheDownSectionIsNotAChange) {
    dir.write("20240101000001_first.sql", table_migration("first"));
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000001_first.sql",
              "-- migrate:up\nCREATE TABLE first (id int);\n\n"
              "-- migrate:down\nDROP TABLE IF EXISTS first CASCADE;\n");

    const auto verify = pgentry("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify;
    const auto again = migrate();
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_TRUE(contains(again.err, "Migrations already up"));
}

TEST_F(Checksums, CrlfLineEndingsAreNotAChange) {
    dir.write("20240101000001_first.sql", table_migration("first"));
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000001_first.sql",
              std::regex_replace(table_migration("first"), std::regex("\n"), "\r\n"));

    const auto verify = pgentry("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify;
}

TEST_F(Checksums, StatusPrintsEveryMigrationWithItsState) {
    dir.write("20240101000001_first.sql", table_migration("first"));
    dir.write("20240101000002_second.sql", table_migration("second"));
    dir.write("20240101000003_third.sql", table_migration("third"));
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000002_second.sql", table_migration("second_edited"));
    dir.remove("20240101000003_third.sql");
    dir.write("20240101000004_fourth.sql", table_migration("fourth"));

    const auto status = pgentry("status");
    ASSERT_EQ(status.exit_code, 0) << status;

    const auto up = line_with(status.out, {"20240101000001"});
    EXPECT_TRUE(contains(up, "first"));
    EXPECT_TRUE(has_word(up, "up")) << up;
    EXPECT_TRUE(has_date(up)) << "no applied-at time: " << up;

    const auto changed = line_with(status.out, {"20240101000002"});
    EXPECT_TRUE(contains(changed, "second"));
    EXPECT_TRUE(has_word(changed, "changed")) << changed;

    const auto missing = line_with(status.out, {"20240101000003"});
    EXPECT_TRUE(contains(missing, "file missing"));
    EXPECT_TRUE(has_word(missing, "-")) << "the name of a missing file is '-': " << missing;
    EXPECT_TRUE(has_date(missing)) << "no applied-at time: " << missing;

    const auto down = line_with(status.out, {"20240101000004"});
    EXPECT_TRUE(contains(down, "fourth"));
    EXPECT_TRUE(has_word(down, "down")) << down;
    EXPECT_FALSE(has_date(down)) << "a pending migration has no applied-at time: " << down;

    EXPECT_FALSE(db.has_table("fourth")) << "status applied a migration";
}

TEST_F(Checksums, StatusPrintsOneJsonObjectAMigrationWithLogFormatJson) {
    dir.write("20240101000001_first.sql", table_migration("first"));
    dir.write("20240101000002_second.sql", table_migration("second"));
    ASSERT_EQ(migrate().exit_code, 0);
    dir.remove("20240101000002_second.sql");
    dir.write("20240101000003_third.sql", table_migration("third"));

    const auto status = pgentry("status", {"--log-format=json"});
    ASSERT_EQ(status.exit_code, 0) << status;
    const std::string applied_at = R"("applied_at":"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")";
    const std::regex expected(
        R"(\{"version":20240101000001,"name":"first","state":"up",)" + applied_at +
        R"(\}\n\{"version":20240101000002,"name":null,"state":"file missing",)" + applied_at +
        R"(\}\n\{"version":20240101000003,"name":"third","state":"down","applied_at":null\}\n)");
    EXPECT_TRUE(std::regex_match(status.out, expected)) << status;
}

}  // namespace
}  // namespace pgentry::test
