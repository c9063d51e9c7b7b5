// pgentry stopped, killed, or cut off by a server restart in the middle of a migration: nothing partial
// stays behind, the lock is free again, and the next run applies the migration.
#include <signal.h>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// Whether a session of pgentry's runs a statement containing needle within timeout.
bool runs_statement(Connection& connection, const std::string& needle, Clock::duration timeout) {
    return eventually(
        [&] {
            return connection.count(
                       "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND state = 'active' AND application_name = '" +
                       pgentry_application_name() + "' AND query LIKE '%" + needle + "%'") == 1;
        },
        timeout);
}

// A migration whose second statement takes sleep_seconds until the test creates table marker.
std::string slow_until_marker(int sleep_seconds) {
    return "-- migrate:up\nCREATE TABLE partial (id int);\n"
           "SELECT pg_sleep(CASE WHEN to_regclass('marker') IS NULL THEN " +
           std::to_string(sleep_seconds) + " ELSE 0 END);\n";
}

constexpr std::int64_t slow_version = 20240101000001;

class Interruption : public PgentryTest, public ::testing::WithParamInterface<LockMode> {
protected:
    std::unique_ptr<Process> start_slow_migration(int sleep_seconds) {
        dir.write("20240101000001_slow.sql", slow_until_marker(sleep_seconds));
        return spawn("migrate-only", {lock_option(GetParam())});
    }

    bool lock_released(Clock::duration timeout) {
        return eventually([&] { return db.migration_locks() == 0 && db.pgentry_backends() == 0; }, timeout);
    }
};

TEST_P(Interruption, SigtermCancelsRollsBackAndReleasesTheLock) {
    auto process = start_slow_migration(30);
    ASSERT_TRUE(runs_statement(db.sql(), "pg_sleep", 15s)) << "the migration never started:\n"
                                                           << process->err();

    const auto signalled = Clock::now();
    process->signal(SIGTERM);
    EXPECT_EQ(process->wait_for(signalled + 3s), 143) << process->err();
    EXPECT_TRUE(lock_released(3s)) << "locks or sessions of pgentry remain after it exited";
    EXPECT_FALSE(db.has_table("partial"));
    EXPECT_TRUE(db.applied_versions().empty());
}

TEST_P(Interruption, SigkilledRunLeavesNoLockBehindAndTheNextRunApplies) {
    auto process = start_slow_migration(20);
    ASSERT_TRUE(runs_statement(db.sql(), "pg_sleep", 15s)) << "the migration never started:\n"
                                                           << process->err();

    process->signal(SIGKILL);
    ASSERT_EQ(process->wait_for(Clock::now() + 3s), 128 + SIGKILL);
    const auto killed = Clock::now();
    EXPECT_TRUE(lock_released(8s)) << "the server still holds the lock or runs the statement "
                                   << seconds(Clock::now() - killed) << " after the kill";
    EXPECT_FALSE(db.has_table("partial"));
    EXPECT_TRUE(db.applied_versions().empty());

    db.sql().exec("CREATE TABLE marker ()");
    const auto rerun = migrate({lock_option(GetParam())});
    EXPECT_EQ(rerun.exit_code, 0) << rerun;
    EXPECT_TRUE(db.has_table("partial"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{slow_version}));
}

INSTANTIATE_TEST_SUITE_P(Locks, Interruption, ::testing::Values(LockMode::table, LockMode::advisory),
                         [](const auto& info) { return to_string(info.param); });

// On a private cluster: restarting the shared server would cut off the tests running beside this one.
TEST(ServerRestart, MidMigrationLeavesAConsistentDatabaseAndARerunApplies) {
    PrivateCluster cluster;
    cluster.start();
    MigrationDir dir;
    dir.write("20240101000001_slow.sql", slow_until_marker(30));
    const Args command{pgentry_bin(), "--mode=migrate-only", "--database-url=" + cluster.url(),
                       "--migrations-dir=" + dir.str(), "--wait-timeout=20s"};

    Process interrupted(command);
    {
        Connection session(cluster.url());
        ASSERT_TRUE(runs_statement(session, "pg_sleep", 15s)) << interrupted.err();
    }
    cluster.restart_fast();
    Connection session(cluster.url());
    // Should pgentry retry after the restart, the retry finishes at once.
    session.exec("CREATE TABLE marker ()");

    const auto code = interrupted.wait_for(Clock::now() + 30s);
    ASSERT_TRUE(code.has_value()) << "still running after the restart:\n" << interrupted.err();
    EXPECT_LT(*code, 128) << interrupted.err();
    const auto state = [&] {
        return session.rows(
            "SELECT to_regclass('partial') IS NOT NULL, "
            "(SELECT count(*) FROM schema_migrations WHERE version = " +
            std::to_string(slow_version) + ")");
    };
    const auto after_restart = state();
    EXPECT_TRUE(after_restart == (std::vector<Row>{{"f", "0"}}) ||
                after_restart == (std::vector<Row>{{"t", "1"}}))
        << "the table and its record disagree: partial exists = "
        << after_restart.at(0).at(0).value_or("NULL")
        << ", records = " << after_restart.at(0).at(1).value_or("NULL");

    const auto rerun = run(command);
    EXPECT_EQ(rerun.exit_code, 0) << rerun;
    EXPECT_EQ(state(), (std::vector<Row>{{"t", "1"}}));
}

}  // namespace
}  // namespace pgentry::test
