#include "migrations/migration_set.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace pgentry::migrations {
namespace {

namespace fs = std::filesystem;

class MigrationSetTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "pgentry-migration-set-XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
    }

    void TearDown() override { fs::remove_all(dir_); }

    void write(const std::string& file_name, const std::string& body = "SELECT 1;\n") const {
        std::ofstream(dir_ / file_name, std::ios::binary) << body;
    }

    // The Error that step throws; fails the test when it does not.
    template <class Step>
    static Error error_of(Step step) {
        try {
            step();
        } catch (const Error& e) {
            return e;
        }
        ADD_FAILURE() << "no error";
        return Error(0, "");
    }

    Error load_error() const {
        return error_of([this] { MigrationSet::load(dir_); });
    }

    fs::path dir_;
};

TEST_F(MigrationSetTest, EmptyDirectoryIsAnEmptySet) {
    EXPECT_TRUE(MigrationSet::load(dir_).all().empty());
}

TEST_F(MigrationSetTest, SortedByVersionAsNumbers) {
    write("10_c.sql");
    write("9_b.sql");
    write("0100_d.sql");
    write("1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 0;\n");
    const MigrationSet set = MigrationSet::load(dir_);
    std::vector<std::int64_t> versions;
    for (const Migration& m : set.all()) {
        versions.push_back(m.version);
    }
    EXPECT_EQ(versions, (std::vector<std::int64_t>{1, 9, 10, 100}));
    EXPECT_EQ(set.all().front().path, dir_ / "1_a.sql");
    EXPECT_TRUE(set.all().front().down);
}

TEST_F(MigrationSetTest, FindByVersion) {
    write("1_a.sql");
    write("3_c.sql");
    const MigrationSet set = MigrationSet::load(dir_);
    ASSERT_NE(set.find(3), nullptr);
    EXPECT_EQ(set.find(3)->name, "c");
    EXPECT_EQ(set.find(2), nullptr);
    EXPECT_EQ(set.find(4), nullptr);
}

TEST_F(MigrationSetTest, IgnoresOtherFilesHiddenFilesAndDirectories) {
    write("1_a.sql");
    write("README.md", "not sql");
    write("2_b.SQL", "ignored: only .sql counts");
    write(".3_hidden.sql", "not sql at all");
    write(".hidden");
    write("4_d.sql.orig", "not sql");
    fs::create_directory(dir_ / "5_dir.sql");
    fs::create_directory(dir_ / "archive");
    write("archive/bad name.sql");
    const MigrationSet set = MigrationSet::load(dir_);
    ASSERT_EQ(set.all().size(), 1u);
    EXPECT_EQ(set.all().front().version, 1);
}

// A listing says "symbolic link" without saying to what: followed, as the files it points to are read.
TEST_F(MigrationSetTest, SymbolicLinksCountAsWhatTheyPointTo) {
    fs::create_directory(dir_ / "shared");
    std::ofstream(dir_ / "shared" / "target.sql", std::ios::binary) << "SELECT 2;\n";
    fs::create_symlink(dir_ / "shared" / "target.sql", dir_ / "2_linked.sql");
    fs::create_directory_symlink(dir_ / "shared", dir_ / "3_linked_dir.sql");
    const MigrationSet set = MigrationSet::load(dir_);
    ASSERT_EQ(set.all().size(), 1u);
    EXPECT_EQ(set.all().front().version, 2);
    EXPECT_EQ(set.all().front().up.sql, "SELECT 2;\n");
}

TEST_F(MigrationSetTest, DuplicateVersionNamesBothFiles) {
    write("1_a.sql");
    write("01_b.sql");
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::invalid_set);
    EXPECT_EQ(std::string(e.what()),
              "duplicate version 1: " + (dir_ / "01_b.sql").string() + " and " + (dir_ / "1_a.sql").string());
}

TEST_F(MigrationSetTest, BadNameIsInvalid) {
    write("1_a.sql");
    write("add_users.sql");
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::invalid_set);
    EXPECT_TRUE(std::string(e.what()).starts_with((dir_ / "add_users.sql").string() + ": ")) << e.what();
}

TEST_F(MigrationSetTest, BadBodyIsInvalidAndNamesFileAndLine) {
    write("1_a.sql", "-- migrate:up\n-- migrate:sideways\n");
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::invalid_set);
    EXPECT_TRUE(std::string(e.what()).starts_with((dir_ / "1_a.sql").string() + ":2: unknown marker"))
        << e.what();
}

// What the listing can tell is told before any file is read (pgentry-migrator connects in between).
TEST_F(MigrationSetTest, OpeningTheDirectoryChecksNamesAndReadsNoBody) {
    write("1_a.sql", "-- migrate:up\n-- migrate:sideways\n");
    ASSERT_EQ(::mkfifo((dir_ / "2_pipe.sql").c_str(), 0600), 0);  // reading it would fail (or block)
    const MigrationDirectory directory = MigrationDirectory::open(dir_);
    const Error e = error_of([&directory] { MigrationSet::read(directory); });
    EXPECT_EQ(e.code(), exit_code::invalid_set);
    EXPECT_TRUE(std::string(e.what()).starts_with((dir_ / "1_a.sql").string() + ":2:")) << e.what();
}

TEST_F(MigrationSetTest, OpeningTheDirectoryRejectsABadNameAmongUnreadableFiles) {
    ASSERT_EQ(::mkfifo((dir_ / "1_pipe.sql").c_str(), 0600), 0);
    write("add_users.sql");
    const Error e = error_of([this] { MigrationDirectory::open(dir_); });
    EXPECT_EQ(e.code(), exit_code::invalid_set);
    EXPECT_TRUE(std::string(e.what()).starts_with((dir_ / "add_users.sql").string() + ": ")) << e.what();
}

TEST_F(MigrationSetTest, MissingDirectoryIsNoInput) {
    dir_ /= "missing";
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::no_input);
    EXPECT_EQ(std::string(e.what()), dir_.string() + ": migrations directory does not exist");
    dir_ = dir_.parent_path();
}

TEST_F(MigrationSetTest, FileInsteadOfDirectoryIsNoInput) {
    write("1_a.sql");
    dir_ /= "1_a.sql";
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::no_input);
    dir_ = dir_.parent_path();
}

TEST_F(MigrationSetTest, UnreadableFileIsNoInput) {
    fs::create_symlink(dir_ / "nowhere.sql", dir_ / "1_dangling.sql");
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::no_input);
    EXPECT_TRUE(std::string(e.what()).starts_with((dir_ / "1_dangling.sql").string() + ": cannot read"))
        << e.what();
}

TEST_F(MigrationSetTest, FifoIsNotReadNoInput) {
    ASSERT_EQ(::mkfifo((dir_ / "1_pipe.sql").c_str(), 0600), 0);
    const Error e = load_error();
    EXPECT_EQ(e.code(), exit_code::no_input);
    EXPECT_EQ(std::string(e.what()), (dir_ / "1_pipe.sql").string() + ": not a regular file");
}

TEST_F(MigrationSetTest, UnreadableDirectoryIsNoInput) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads directories whatever their mode";
    }
    fs::permissions(dir_, fs::perms::none);
    const Error e = load_error();
    fs::permissions(dir_, fs::perms::owner_all);
    EXPECT_EQ(e.code(), exit_code::no_input);
}

}  // namespace
}  // namespace pgentry::migrations
