// Other tools' migrators (SPEC.md "Other migration tools"), real ones installed by scripts/install-deps.sh:
// the fixtures of tests/migrators run alone, once and as 8 replicas released together. Django `migrate`,
// Alembic `upgrade` and dbmate `up` take no lock (FIELD-NOTES): the race recorded here is what
// `pgentry --lock=advisory --migrate-command` (migrate_command_test.cpp) must prevent.
#include "migrators.hpp"

namespace pgentry::test {
namespace {

class Migrator : public ::testing::TestWithParam<MigratorTool> {};

TEST_P(Migrator, RunAloneAppliesEachMigrationOnceThenHasNothingToDo) {
    const auto& tool = GetParam();
    TestDatabase fresh;
    const auto first = run(migrator_alone(tool, fresh.url()));
    ASSERT_EQ(first.exit_code, 0) << first;
    EXPECT_EQ(migrator_state(fresh, tool), tool.migrated);

    const auto again = run(migrator_alone(tool, fresh.url()));
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_EQ(migrator_state(fresh, tool), tool.migrated);
}

// The race without pgentry, as replicas running `migrate && server` boot: recorded (RecordProperty and a log
// line per round), not asserted, since who loses varies. Asserted: every replica ends (no tool hangs on
// another's half-made tables), and one more run, as the restart of a replica that lost, leaves every
// migration applied once (each fixture migration is one transaction with its history row).
TEST_P(Migrator, EightRunAtOnceRaceWithoutALock) {
    const auto& tool = GetParam();
    race(
        tool.name + " alone", tool, recorded_race_rounds,
        [&](const TestDatabase& fresh) { return migrator_alone(tool, fresh.url()); },
        [&](TestDatabase& fresh, const std::vector<RunResult>& results) {
            for (const auto& result : results) {
                EXPECT_NE(result.exit_code, -1) << "a replica was still running after 120 s:\n" << result;
            }
            const auto restart = run(migrator_alone(tool, fresh.url()));
            EXPECT_EQ(restart.exit_code, 0) << restart;
            EXPECT_EQ(migrator_state(fresh, tool), tool.migrated);
        });
}

INSTANTIATE_TEST_SUITE_P(Migrators, Migrator, ::testing::ValuesIn(migrator_tools()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace pgentry::test
