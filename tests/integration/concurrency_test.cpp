// Several pgentry instances on one database, as replicas booting together: in both lock modes every
// migration runs once, CREATE INDEX CONCURRENTLY does not deadlock with the waiters, an instance with
// nothing to do does not queue, and --lock-timeout names who holds the lock.
#include <array>
#include <cstdio>

#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

class Concurrency : public PgentryTest, public ::testing::WithParamInterface<LockMode> {
protected:
    RunResult migrate(const Args& extra = {}, Clock::duration timeout = 60s) const {
        auto args = extra;
        args.push_back(lock_option(GetParam()));
        return pgentry("migrate-only", args, {}, timeout);
    }
    std::unique_ptr<Process> spawn_migrate() const {
        return spawn("migrate-only", {lock_option(GetParam())});
    }
};

// A key of the test's own, unrelated to pgentry's: the test holds it to keep the first instance's
// migration in its middle for as long as it needs.
constexpr int gate_key = 424242;

// Repeated (issue 8: a concurrency case runs at least 5 times a run); each round adds one migration.
TEST_P(Concurrency, CreateIndexConcurrentlyCompletesWhileOthersWaitForTheLock) {
    constexpr int rounds = 5;
    const auto lock_gate = "SELECT pg_advisory_lock(" + std::to_string(gate_key) + ");\n";
    const auto unlock_gate = "SELECT pg_advisory_unlock(" + std::to_string(gate_key) + ");\n";
    Connection gate(db.conninfo("gate"));
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const auto table = "items_" + std::to_string(round);
        dir.write(std::to_string(round) + "_items.sql",
                  "-- migrate:up transaction:false\nCREATE TABLE " + table + " (id int);\n" + lock_gate +
                      unlock_gate + "CREATE INDEX CONCURRENTLY " + table + "_id ON " + table + " (id);\n");
        gate.exec(lock_gate);

        auto holder = spawn_migrate();
        ASSERT_TRUE(eventually(
            [&] {
                // Advisory keys are per database: tests running alongside may wait on the same key elsewhere.
                return db.sql().count(
                           "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                           "AND NOT granted AND database = (SELECT oid FROM pg_database "
                           "WHERE datname = current_database()) AND objid = " +
                           std::to_string(gate_key)) == 1;
            },
            15s))
            << "the first instance never reached its migration:\n"
            << holder->err();

        std::vector<std::unique_ptr<Process>> waiters;
        for (int i = 0; i < 3; ++i) {
            waiters.push_back(spawn_migrate());
        }
        for (const auto& waiter : waiters) {
            ASSERT_TRUE(waiter->wait_for_output("waiting for the migration lock", Clock::now() + 20s))
                << "an instance does not report waiting for the lock:\n"
                << waiter->err();
        }

        gate.exec(unlock_gate);
        const auto deadline = Clock::now() + 30s;
        EXPECT_EQ(holder->wait_for(deadline), 0) << holder->err();
        for (const auto& waiter : waiters) {
            EXPECT_EQ(waiter->wait_for(deadline), 0) << waiter->err();
        }
        EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('" + table +
                                 "_id') AND indisvalid"),
                  1);
        EXPECT_EQ(db.applied_versions().size(), static_cast<std::size_t>(round));
        if (HasFailure()) {
            break;
        }
    }
}

TEST_P(Concurrency, SixteenInstancesOnAFreshDatabaseRunEachMigrationOnce) {
    constexpr int migrations = 40;
    constexpr int instances = 16;
    // No unique constraint: a migration that ran twice shows as a second row, not as an error.
    db.sql().exec("CREATE TABLE ran (version bigint NOT NULL)");
    for (int version = 1; version <= migrations; ++version) {
        std::array<char, 32> name{};
        std::snprintf(name.data(), name.size(), "%d_step_%02d.sql", version, version);
        dir.write(name.data(), "INSERT INTO ran VALUES (" + std::to_string(version) + ");\n");
    }

    std::vector<std::unique_ptr<Process>> processes;
    for (int i = 0; i < instances; ++i) {
        processes.push_back(spawn_migrate());
    }
    const auto deadline = Clock::now() + 90s;
    for (const auto& process : processes) {
        EXPECT_EQ(process->wait_for(deadline), 0) << process->err();
    }

    const auto counts = db.sql().rows("SELECT count(*), count(DISTINCT version) FROM ran");
    EXPECT_EQ(counts, (std::vector<Row>{{std::to_string(migrations), std::to_string(migrations)}}));
    EXPECT_EQ(db.applied_versions().size(), static_cast<std::size_t>(migrations));
}

TEST_P(Concurrency, NothingPendingDoesNotQueueOnTheLock) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");
    ASSERT_EQ(migrate().exit_code, 0);
    const LockHolder holder(db, GetParam(), "long-migration");

    const auto result = migrate({}, 15s);
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_LT(result.elapsed, 5s) << result;
    EXPECT_TRUE(contains(result.err, "Migrations already up"));
}

TEST_P(Concurrency, LockTimeoutNamesTheHolder) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000002_b.sql", "CREATE TABLE b (id int);\n");
    const LockHolder holder(db, GetParam(), "holder-xyz");

    const auto result = migrate({"--lock-timeout=2s"});
    EXPECT_EQ(result.exit_code, 75) << result;
    EXPECT_GE(result.elapsed, 1900ms) << result;
    EXPECT_LT(result.elapsed, 10s) << result;
    EXPECT_TRUE(contains(result.err, "holder-xyz"));
    EXPECT_TRUE(contains(result.err, std::to_string(holder.backend_pid())));
    EXPECT_FALSE(db.has_table("b"));
}

// Issue 8 item 1, exactly: on a fresh database the replicas that lose the race wait while the winner's
// CREATE INDEX CONCURRENTLY waits for every snapshot older than its own. A waiter blocked inside LOCK
// TABLE holds one (FIELD-NOTES), so this hung past 45 s every time before waiting became polling.
TEST_P(Concurrency, ReplicasReleasedTogetherOnAFreshDatabaseLetCreateIndexConcurrentlyFinish) {
    constexpr int replicas = 4;
    constexpr int rounds = 5;
    dir.write("1_big.sql",
              "CREATE TABLE big (id int, v text);\n"
              "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g;\n");
    dir.write("2_index.sql",
              "-- migrate:up transaction:false\n"
              "CREATE INDEX CONCURRENTLY big_v_idx ON big (v);\nSELECT pg_sleep(1);\n"
              "CREATE INDEX CONCURRENTLY big_id_idx ON big (id);\n");
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        TestDatabase fresh;
        const std::vector<Args> commands(replicas,
                                         command(fresh.url(), "migrate-only", {lock_option(GetParam())}));
        for (const auto& result : run_released_together(commands, 30s)) {
            EXPECT_EQ(result.exit_code, 0) << result;
        }
        EXPECT_EQ(fresh.applied_versions(), (std::vector<std::int64_t>{1, 2}));
        EXPECT_EQ(fresh.sql().count("SELECT count(*) FROM big"), 20000);
        EXPECT_EQ(fresh.sql().count("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                                    "(to_regclass('big_v_idx'), to_regclass('big_id_idx'))"),
                  2);
    }
}

INSTANTIATE_TEST_SUITE_P(Locks, Concurrency, ::testing::Values(LockMode::table, LockMode::advisory),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace pgentry::test
