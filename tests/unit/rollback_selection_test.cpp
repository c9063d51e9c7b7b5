// select_rollback: which applied migrations --steps and --to undo, newest first, without a server (Ecto's
// migrator_test.exs checks its own --step/--to the same way). Every refusal happens before anything runs.
#include "pipeline/rollback_selection.hpp"

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

constexpr std::string_view reversible = "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 0;\n";

class RollbackSelectionTest : public ::testing::Test {
protected:
    // Files 1 to 4 with a down section; the history has 1, 2 and 3 applied.
    void SetUp() override {
        for (const char* file : {"1_a.sql", "2_b.sql", "3_c.sql", "4_d.sql"}) {
            dir_.write(file, reversible);
        }
        load();
    }

    void load() { set_ = migrations::MigrationSet::load(dir_.path()); }

    Versions select(std::optional<std::int64_t> to, int steps = 1) const {
        Versions versions;
        for (const auto* migration : select_rollback(applied_, set_, to, steps)) {
            versions.push_back(migration->version);
        }
        return versions;
    }

    // The message of the Error(65) that selecting throws; fails the test when it selects.
    std::string refusal(std::optional<std::int64_t> to, int steps = 1) const {
        try {
            select_rollback(applied_, set_, to, steps);
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), 65) << e.what();
            return e.what();
        }
        ADD_FAILURE() << "selected without a refusal";
        return "";
    }

    test::MigrationDir dir_;
    migrations::MigrationSet set_;
    std::vector<db::AppliedMigration> applied_{{1, {}, {}}, {2, {}, {}}, {3, {}, {}}};
};

TEST_F(RollbackSelectionTest, OneStepIsTheNewestApplied) {
    EXPECT_EQ(select(std::nullopt), (Versions{3}));
}

TEST_F(RollbackSelectionTest, StepsTakeTheNewestFirst) {
    EXPECT_EQ(select(std::nullopt, 2), (Versions{3, 2}));
}

TEST_F(RollbackSelectionTest, MoreStepsThanAppliedTakeEveryOne) {
    EXPECT_EQ(select(std::nullopt, 10), (Versions{3, 2, 1}));
}

// The unapplied file 4 is newer than everything applied: the history decides, not the directory.
TEST_F(RollbackSelectionTest, AnUnappliedFileIsNeverSelected) {
    applied_ = {{1, {}, {}}, {3, {}, {}}};
    EXPECT_EQ(select(std::nullopt, 2), (Versions{3, 1}));
}

TEST_F(RollbackSelectionTest, NothingAppliedSelectsNothing) {
    applied_.clear();
    EXPECT_TRUE(select(std::nullopt, 5).empty());
}

TEST_F(RollbackSelectionTest, ToKeepsItsVersionApplied) {
    EXPECT_EQ(select(1), (Versions{3, 2}));
}

TEST_F(RollbackSelectionTest, ToTheNewestSelectsNothing) {
    EXPECT_TRUE(select(3).empty());
}

TEST_F(RollbackSelectionTest, ToZeroSelectsEveryOne) {
    EXPECT_EQ(select(0), (Versions{3, 2, 1}));
}

// 0 is a version too (1 to 18 digits), and --to=0 still means everything (SPEC.md "Modes").
TEST_F(RollbackSelectionTest, ToZeroAlsoSelectsAMigrationNumberedZero) {
    dir_.write("0_first.sql", reversible);
    load();
    applied_.insert(applied_.begin(), {0, {}, {}});
    EXPECT_EQ(select(0), (Versions{3, 2, 1, 0}));
}

TEST_F(RollbackSelectionTest, ToOverridesSteps) {
    EXPECT_EQ(select(2, 5), (Versions{3}));
}

// A digit dropped from a timestamp: below every version, it would roll back the whole history.
TEST_F(RollbackSelectionTest, ToAVersionNotAppliedIsRefusedNamingTheNewest) {
    applied_ = {{1, {}, {}}, {3, {}, {}}};
    const std::string message = refusal(2);
    EXPECT_NE(message.find("nothing rolled back: --to=2 is not an applied version"), std::string::npos)
        << message;
    EXPECT_NE(message.find("the newest applied: 3, 1"), std::string::npos) << message;
}

TEST_F(RollbackSelectionTest, ToOnAnEmptyHistorySaysNothingIsApplied) {
    applied_.clear();
    EXPECT_NE(refusal(5).find("no migration is applied"), std::string::npos);
}

TEST_F(RollbackSelectionTest, EveryProblemIsNamedAtOnce) {
    dir_.write("2_b.sql", "SELECT 1;\n");
    dir_.remove("3_c.sql");
    load();
    const std::string message = refusal(std::nullopt, 2);
    EXPECT_NE(message.find("version 3 has no migration file"), std::string::npos) << message;
    EXPECT_NE(message.find((dir_.path() / "2_b.sql").string() + " has no '-- migrate:down' section"),
              std::string::npos)
        << message;
}

// Only the selected migrations need a down section: an irreversible older one does not block one step.
TEST_F(RollbackSelectionTest, AProblemOutsideTheSelectionIsNoObstacle) {
    dir_.write("1_a.sql", "SELECT 1;\n");
    load();
    EXPECT_EQ(select(std::nullopt, 2), (Versions{3, 2}));
    EXPECT_NE(refusal(0).find("1_a.sql has no '-- migrate:down' section"), std::string::npos);
}

}  // namespace
}  // namespace pgentry::pipeline
