// Replicas competing for connection slots and for creating the history table: an instance that cannot
// get its second session lets go of its first (no hold-and-wait), and losing the table-creation race
// is never a failure.
#include "pgentry.hpp"
#include "role.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

using ConnectionSlots = PgentryTest;

TEST_F(ConnectionSlots, ARoleWithOneConnectionFailsPromptlySayingTwoAreNeeded) {
    TestRole app(db, "CONNECTION LIMIT 1");
    db.admin().exec("ALTER DATABASE " + db.name() + " OWNER TO " + app.name());
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = run(command(app.url(), "migrate-only", {"--wait-timeout=2s"}), {}, 30s);
    EXPECT_EQ(result.exit_code, 69) << result;
    EXPECT_LT(result.elapsed, 6s) << result;
    EXPECT_TRUE(contains(result.err, "pgentry needs 2 connections per instance while migrating"));
    EXPECT_TRUE(contains(line_with(result.err, {"[error]"}), "2 connections")) << result;
    EXPECT_FALSE(db.has_table("a"));
}

TEST_F(ConnectionSlots, EightReplicasShareThreeSlotsAndEachMigrationRunsOnce) {
    for (int round = 0; round < 5; ++round) {
        TestDatabase wave;
        TestRole app(wave, "CONNECTION LIMIT 3");
        wave.admin().exec("ALTER DATABASE " + wave.name() + " OWNER TO " + app.name());
        // No unique constraint: a migration that ran twice shows as a second row.
        wave.sql().exec("CREATE TABLE ran (version bigint NOT NULL); ALTER TABLE ran OWNER TO " + app.name());
        for (int version = 1; version <= 3; ++version) {
            dir.write(std::to_string(version) + "_step.sql",
                      "INSERT INTO ran VALUES (" + std::to_string(version) + ");\n");
        }
        const auto results =
            run_released_together(std::vector<Args>(8, command(app.url(), "migrate-only", {})), 60s);
        for (const auto& result : results) {
            EXPECT_EQ(result.exit_code, 0) << "round " << round << ": " << result;
        }
        EXPECT_EQ(wave.sql().rows("SELECT count(*), count(DISTINCT version) FROM ran"),
                  (std::vector<Row>{{"3", "3"}}))
            << "round " << round;
        if (HasFailure()) {
            break;
        }
    }
}

TEST_F(ConnectionSlots, ThirtyReplicasCreatingTheTableTogetherAllSucceed) {
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");
    for (int round = 0; round < 10; ++round) {
        TestDatabase fresh;
        const auto results =
            run_released_together(std::vector<Args>(30, command(fresh.url(), "migrate-only", {})), 60s);
        for (const auto& result : results) {
            EXPECT_EQ(result.exit_code, 0) << "round " << round << ": " << result;
        }
        EXPECT_EQ(fresh.applied_versions(), (std::vector<std::int64_t>{1})) << "round " << round;
        if (HasFailure()) {
            break;
        }
    }
}

}  // namespace
}  // namespace pgentry::test
