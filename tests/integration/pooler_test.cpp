// pgentry through a real PgBouncer in transaction pooling (issue 8 items 2 and 3): the table lock works
// with fewer server connections than replicas, and the advisory lock, which cannot work there, is
// refused before anything is applied and without leaving the lock on a pooled server connection. A
// rolling update's DDL retries work there too, also under a database's idle_session_timeout, and leave
// nothing on the pool's server connections.
#include "pgbouncer.hpp"
#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

constexpr int replicas = 4;
constexpr int rounds = 5;
constexpr int migrations = 3;

// Every server connection of the pool at once, each in a client transaction of its own, shows the value
// expected (SHOW's spelling) of each setting: pgentry left none of its settings there.
void expect_on_every_server_connection(const PgBouncer& bouncer, const std::string& dbname, int pool_size,
                                       const std::vector<std::pair<std::string, std::string>>& expected) {
    std::vector<std::unique_ptr<Connection>> clients;
    for (int i = 0; i < pool_size; ++i) {
        clients.push_back(std::make_unique<Connection>(bouncer.conninfo(dbname, "app")));
        clients.back()->exec("BEGIN");
        for (const auto& [setting, value] : expected) {
            EXPECT_EQ(clients.back()->scalar("SHOW " + setting), Value(value)) << setting;
        }
    }
}

class Pooler : public PgentryTest {
protected:
    void SetUp() override {
        // No unique constraint: a migration that ran twice shows as a second row, not as an error.
        for (int version = 1; version <= migrations; ++version) {
            dir.write(std::to_string(version) + "_step.sql",
                      "CREATE TABLE IF NOT EXISTS ran (version int);\nSELECT pg_sleep(0.2);\n"
                      "INSERT INTO ran VALUES (" +
                          std::to_string(version) + ");\n");
        }
    }

    // Four replicas on a fresh database through the pooler, released at the same instant.
    std::vector<RunResult> boot_replicas(const TestDatabase& fresh, const std::string& lock) const {
        return boot_replicas(bouncer, fresh, lock);
    }
    std::vector<RunResult> boot_replicas(const PgBouncer& pooler, const TestDatabase& fresh,
                                         const std::string& lock) const {
        const std::vector<Args> commands(replicas, command(pooler.url(fresh.name()), "migrate-only", {lock}));
        return run_released_together(commands, 30s);
    }

    // Fails a client waiting this long for a server connection (item 2's failure) quickly.
    PgBouncer bouncer{db.server(), {"transaction", 2, {{"query_wait_timeout", "15"}}}};
};

TEST_F(Pooler, TableLockRunsEachMigrationOnceWithTwoServerConnectionsForFourReplicas) {
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        TestDatabase fresh;
        for (const auto& result : boot_replicas(fresh, "--lock=table")) {
            EXPECT_EQ(result.exit_code, 0) << result << bouncer.log();
        }
        EXPECT_EQ(fresh.sql().rows("SELECT count(*), count(DISTINCT version) FROM ran"),
                  (std::vector<Row>{{std::to_string(migrations), std::to_string(migrations)}}));
        EXPECT_EQ(fresh.applied_versions(), (std::vector<std::int64_t>{1, 2, 3}));
    }
}

// Every replica refuses: whichever takes the lock first finds its server connection shared or left,
// and each later one does the same once it gets in.
TEST_F(Pooler, AdvisoryLockIsRefusedThroughTransactionPoolingAndLeavesNoLock) {
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        TestDatabase fresh;
        for (const auto& result : boot_replicas(fresh, "--lock=advisory")) {
            EXPECT_EQ(result.exit_code, 64) << result;
            EXPECT_TRUE(contains(result.err,
                                 "--lock=advisory cannot work through a transaction-pooling "
                                 "proxy; use --lock=table"));
        }
        EXPECT_FALSE(fresh.has_table("ran"));
        EXPECT_EQ(fresh.applied_versions(), std::vector<std::int64_t>{});
        // Directly on the server: no advisory lock left on any of the pooler's server connections.
        EXPECT_EQ(fresh.migration_locks(), 0);

        const auto later = run(command(bouncer.url(fresh.name()), "migrate-only", {"--lock=table"}));
        EXPECT_EQ(later.exit_code, 0) << later;
        EXPECT_EQ(fresh.applied_versions(), (std::vector<std::int64_t>{1, 2, 3}));
    }
}

// No client can tell session pooling from a transaction pooler that happens to hand it the same server
// connection every time (db/advisory_lock.hpp): refused there too, and the table lock works.
TEST_F(Pooler, AdvisoryLockIsRefusedThroughSessionPoolingToo) {
    const PgBouncer session_pooler(db.server(), {"session", 20, {}});
    TestDatabase fresh;
    for (const auto& result : boot_replicas(session_pooler, fresh, "--lock=advisory")) {
        EXPECT_EQ(result.exit_code, 64) << result;
    }
    EXPECT_FALSE(fresh.has_table("ran"));
    for (const auto& result : boot_replicas(session_pooler, fresh, "--lock=table")) {
        EXPECT_EQ(result.exit_code, 0) << result;
    }
    EXPECT_EQ(fresh.sql().rows("SELECT count(*), count(DISTINCT version) FROM ran"),
              (std::vector<Row>{{std::to_string(migrations), std::to_string(migrations)}}));
}

// The advisory lock another tool's migrator runs under (--migrate-command) is the same lock: refused too,
// before the command runs.
TEST_F(PgentryTest, MigrateCommandUnderTheAdvisoryLockIsRefusedThroughTransactionPooling) {
    const PgBouncer bouncer(db.server(), {"transaction", 2, {}});
    const auto ran = dir.path() / "ran";
    const auto result = run(command(bouncer.url(db.name()), "migrate-only",
                                    {"--lock=advisory", "--migrate-command=touch " + ran.string()}));
    EXPECT_EQ(result.exit_code, 64) << result;
    EXPECT_TRUE(contains(result.err, "--lock=advisory cannot work through a transaction-pooling proxy"));
    EXPECT_FALSE(std::filesystem::exists(ran));
    // This database's locks only: tests running alongside hold advisory locks of their own.
    EXPECT_EQ(db.migration_locks(), 0);
}

// --ddl-lock-timeout is SET LOCAL in each try's transaction (SPEC "Rolling updates"), so it holds through
// transaction pooling, and the server connection the application gets next keeps the server's settings.
TEST_F(PgentryTest, DdlRetriesWorkThroughTransactionPoolingAndLeaveNoSettingOnThePool) {
    constexpr int pool_size = 3;
    const PgBouncer bouncer(db.server(), {"transaction", pool_size, {}});
    db.sql().exec("CREATE TABLE users (id int); INSERT INTO users VALUES (1)");
    dir.write("1_add_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
    Connection blocker(db.conninfo("report"));  // an old replica's transaction, straight to the server
    blocker.exec("BEGIN");
    blocker.exec("SELECT * FROM users");

    Process pgentry(command(bouncer.url(db.name()), "migrate-only", {"--ddl-lock-timeout=300ms"}));
    ASSERT_TRUE(pgentry.wait_for_output("retry 2 in ", Clock::now() + 15s)) << pgentry.err() << bouncer.log();
    blocker.exec("COMMIT");
    EXPECT_EQ(pgentry.wait_for(Clock::now() + 30s), 0) << pgentry.err();
    EXPECT_TRUE(db.has_column("users", "nickname"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));

    expect_on_every_server_connection(
        bouncer, db.name(), pool_size,
        {{"lock_timeout", "0"}, {"statement_timeout", "0"}, {"idle_in_transaction_session_timeout", "0"}});
}

// A database's idle_session_timeout ends only PgBouncer's idle server connections, which it replaces: the
// looks at a blocked statement, between which the observers sit idle longer than that, still see who is in
// the way, and nothing pgentry pins on its own sessions stays on the pool.
TEST_F(PgentryTest, PoolerIdleSessionTimeoutOnTheDatabaseFailsNothingAndLeavesNoSettingOnThePool) {
    constexpr int pool_size = 3;
    db.admin().exec("ALTER DATABASE " + db.name() + " SET idle_session_timeout = '300ms'; ALTER DATABASE " +
                    db.name() + " SET statement_timeout = '30min'");
    const PgBouncer bouncer(db.server(), {"transaction", pool_size, {}});
    db.sql().exec("CREATE TABLE users (id int); INSERT INTO users VALUES (1)");
    dir.write("1_add_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
    Connection blocker(db.conninfo("report"));
    blocker.exec("BEGIN");
    blocker.exec("SELECT * FROM users");

    // Looks every 500 ms, the first at 200 ms.
    Process pgentry(command(bouncer.url(db.name()), "migrate-only", {"--ddl-lock-timeout=2s"}));
    ASSERT_TRUE(pgentry.wait_for_output("retry 1 in ", Clock::now() + 15s)) << pgentry.err() << bouncer.log();
    blocker.exec("COMMIT");
    EXPECT_EQ(pgentry.wait_for(Clock::now() + 30s), 0) << pgentry.err() << bouncer.log();
    EXPECT_TRUE(contains(line_with(pgentry.err(), {"retry 1 in "}),
                         "(held by pid " + std::to_string(blocker.backend_pid()) + ", report, "));
    EXPECT_TRUE(db.has_column("users", "nickname"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));

    expect_on_every_server_connection(bouncer, db.name(), pool_size,
                                      {{"idle_session_timeout", "300ms"},
                                       {"statement_timeout", "30min"},
                                       {"lock_timeout", "0"},
                                       {"idle_in_transaction_session_timeout", "0"}});
}

// One server connection per pool: the migration's session waits for the one the lock transaction holds until
// PgBouncer gives up (query_wait_timeout). The message says why, not "a server restart or failover".
TEST_F(PgentryTest, APoolOfOneServerConnectionFailsSayingTwoAreNeeded) {
    const PgBouncer bouncer(db.server(), {"transaction", 1, {{"query_wait_timeout", "2"}}});
    dir.write("1_create_users.sql", "CREATE TABLE users (id int);\n");
    const auto result = run(command(bouncer.url(db.name()), "migrate-only", {}));
    EXPECT_EQ(result.exit_code, 70) << result << bouncer.log();
    EXPECT_TRUE(contains(result.err, "query_wait_timeout")) << result;
    EXPECT_TRUE(contains(result.err, "so the pool needs at least 2 (PgBouncer's default_pool_size)"))
        << result;
    EXPECT_FALSE(db.has_table("users"));
}

}  // namespace
}  // namespace pgentry::test
