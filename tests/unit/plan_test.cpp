// make_plan: what the files and the history say must happen, without a server (Ecto's migrator_test.exs
// checks its own planning the same way). Each case loads a real directory and hands make_plan the rows a
// history read would return.
#include "pipeline/plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "migration_dir.hpp"

namespace pgentry::pipeline {
namespace {

using Versions = std::vector<std::int64_t>;

Versions versions_of(const std::vector<const migrations::Migration*>& migrations) {
    Versions versions;
    for (const auto* migration : migrations) {
        versions.push_back(migration->version);
    }
    return versions;
}

class PlanTest : public ::testing::Test {
protected:
    // Files 1_a.sql, 2_b.sql and 3_c.sql, loaded.
    void SetUp() override {
        dir_.write("1_a.sql", "CREATE TABLE a (id int);\n");
        dir_.write("2_b.sql", "CREATE TABLE b (id int);\n");
        dir_.write("3_c.sql", "CREATE TABLE c (id int);\n");
        set_ = migrations::MigrationSet::load(dir_.path());
    }

    // The history row pgentry writes for a file: its version and its checksum.
    db::AppliedMigration applied(std::int64_t version) const {
        return {version, set_.find(version)->checksum, "2026-12-01 00:00:00"};
    }

    test::MigrationDir dir_;
    migrations::MigrationSet set_;
};

TEST_F(PlanTest, EveryFileIsPendingOnAnEmptyHistory) {
    const Plan plan = make_plan(set_, {});
    EXPECT_EQ(versions_of(plan.pending), (Versions{1, 2, 3}));
    EXPECT_TRUE(plan.changed.empty());
    EXPECT_TRUE(plan.missing_files.empty());
}

TEST_F(PlanTest, NothingToDoWhenEveryFileIsAppliedUnchanged) {
    const Plan plan = make_plan(set_, {applied(1), applied(2), applied(3)});
    EXPECT_TRUE(plan.pending.empty());
    EXPECT_TRUE(plan.changed.empty());
    EXPECT_TRUE(plan.missing_files.empty());
}

TEST_F(PlanTest, OnlyTheNewerFilesArePending) {
    EXPECT_EQ(versions_of(make_plan(set_, {applied(1)}).pending), (Versions{2, 3}));
}

// A branch merged late brings a version older than the newest applied one: Ecto runs it, and so does pgentry.
TEST_F(PlanTest, AnOlderUnappliedFileIsPendingInVersionOrder) {
    const Plan plan = make_plan(set_, {applied(1), applied(3)});
    EXPECT_EQ(versions_of(plan.pending), (Versions{2}));
    EXPECT_TRUE(plan.changed.empty());
}

TEST_F(PlanTest, AnAppliedFileWhoseChecksumDiffersIsChangedNotPending) {
    auto edited = applied(2);
    edited.checksum = std::string(64, '0');
    const Plan plan = make_plan(set_, {applied(1), edited, applied(3)});
    EXPECT_EQ(versions_of(plan.changed), (Versions{2}));
    EXPECT_TRUE(plan.pending.empty());
}

// A NULL checksum: applied by Ecto, or before pgentry recorded checksums. Nothing to compare it with.
TEST_F(PlanTest, ARowWithoutChecksumIsNeverChanged) {
    auto by_ecto = applied(2);
    by_ecto.checksum = std::nullopt;
    const Plan plan = make_plan(set_, {applied(1), by_ecto});
    EXPECT_TRUE(plan.changed.empty());
    EXPECT_EQ(versions_of(plan.pending), (Versions{3}));
}

// An old image restarting after a newer one migrated: the newer versions have no file here.
TEST_F(PlanTest, AppliedVersionsWithoutAFileAreMissingAscending) {
    const Plan plan =
        make_plan(set_, {applied(1), applied(2), applied(3), {7, "x", {}}, {9, std::nullopt, {}}});
    EXPECT_EQ(plan.missing_files, (Versions{7, 9}));
    EXPECT_TRUE(plan.pending.empty());
}

TEST_F(PlanTest, PendingChangedAndMissingTogether) {
    auto edited = applied(1);
    edited.checksum = "edited";
    const Plan plan = make_plan(set_, {edited, applied(3), {4, std::nullopt, {}}});
    EXPECT_EQ(versions_of(plan.pending), (Versions{2}));
    EXPECT_EQ(versions_of(plan.changed), (Versions{1}));
    EXPECT_EQ(plan.missing_files, (Versions{4}));
}

TEST_F(PlanTest, RefusingChangedFilesIs65NamingEachFileAndVersion) {
    auto first = applied(1);
    auto third = applied(3);
    first.checksum = third.checksum = "edited";
    try {
        refuse_changed(make_plan(set_, {first, applied(2), third}));
        FAIL() << "refuse_changed accepted two changed files";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), 65);
        const std::string message = e.what();
        EXPECT_NE(message.find((dir_.path() / "1_a.sql").string() + " (version 1)"), std::string::npos)
            << message;
        EXPECT_NE(message.find((dir_.path() / "3_c.sql").string() + " (version 3)"), std::string::npos)
            << message;
        EXPECT_EQ(message.find("2_b.sql"), std::string::npos) << message;
    }
}

TEST_F(PlanTest, NothingChangedIsNotRefused) {
    EXPECT_NO_THROW(refuse_changed(make_plan(set_, {applied(1), {5, "x", {}}})));
}

}  // namespace
}  // namespace pgentry::pipeline
