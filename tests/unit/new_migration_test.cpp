#include "migrations/new_migration.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::migrations {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

// 2024-07-05 20:57:30 UTC, and the same day at 23:59:59.
constexpr std::chrono::sys_seconds story_time{seconds(1720213050)};
constexpr std::chrono::sys_seconds last_second_of_day{seconds(1720223999)};

class NewMigrationTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "pgentry-new-migration-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string file_name(const fs::path& path) const {
        EXPECT_EQ(path.parent_path(), dir_);
        return path.filename().string();
    }

    fs::path dir_;
};

TEST_F(NewMigrationTest, NamesTheFileAfterTheUtcSecondWithBothMarkers) {
    const fs::path path =
        create_migration(dir_, "add_users_table", story_time + std::chrono::milliseconds(999));
    EXPECT_EQ(file_name(path), "20240705205730_add_users_table.sql");
    std::ifstream stream(path);
    std::ostringstream body;
    body << stream.rdbuf();
    EXPECT_EQ(body.str(), "-- migrate:up\n\n\n-- migrate:down\n\n");
    const MigrationSet set = MigrationSet::load(dir_);
    ASSERT_EQ(set.all().size(), 1u);
    EXPECT_EQ(set.all()[0].version, 20240705205730);
}

TEST_F(NewMigrationTest, AVersionAnyFileHasIsSkipped) {
    std::ofstream(dir_ / "20240705205730_other.sql") << "";
    std::ofstream(dir_ / "020240705205731_padded.sql") << "";  // versions compare as numbers
    EXPECT_EQ(file_name(create_migration(dir_, "x", story_time)), "20240705205732_x.sql");
    // The same name in the same second: the exclusive creation and the listing both move it on.
    EXPECT_EQ(file_name(create_migration(dir_, "x", story_time)), "20240705205733_x.sql");
    EXPECT_NO_THROW(MigrationSet::load(dir_));
}

TEST_F(NewMigrationTest, TheNextSecondCanBeTheNextDay) {
    std::ofstream(dir_ / "20240705235959_taken.sql") << "";
    EXPECT_EQ(file_name(create_migration(dir_, "x", last_second_of_day)), "20240706000000_x.sql");
}

TEST_F(NewMigrationTest, ABadNameIs64AndCreatesNothing) {
    for (const std::string name : {"", "a/b", "../x", "add users", "add.users", "x\n", "café"}) {
        try {
            create_migration(dir_, name, story_time);
            ADD_FAILURE() << "accepted '" << name << "'";
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), exit_code::usage) << error.what();
            EXPECT_NE(std::string(error.what()).find("invalid NAME"), std::string::npos) << error.what();
        }
    }
    EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(NewMigrationTest, AMissingDirectoryIs66) {
    try {
        create_migration(dir_ / "missing", "x", story_time);
        ADD_FAILURE() << "created a file in a missing directory";
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), exit_code::no_input) << error.what();
    }
    EXPECT_FALSE(fs::exists(dir_ / "missing"));
}

}  // namespace
}  // namespace pgentry::migrations
