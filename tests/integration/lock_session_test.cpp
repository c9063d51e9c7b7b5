// pgentry's lock session against what would break it (issue 8 items 7 and 8): a role's
// statement_timeout and isolation level, and a migration statement that waits for pgentry's own lock.
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class LockSession : public PgentryTest {};

// Before: the waiter's blocking LOCK TABLE was cancelled by the role's statement_timeout (exit 70). Repeated
// (issue 8: a concurrency case runs at least 5 times a run); each round adds one migration that holds the
// lock 3 s, three times the role's timeout, so that the waiter outlasts it by far even on a slow machine.
TEST_F(LockSession, RoleStatementTimeoutDoesNotEndTheWaitForTheLock) {
    constexpr int rounds = 5;
    db.admin().exec("ALTER ROLE CURRENT_USER IN DATABASE " + db.name() + " SET statement_timeout = '1s'");
    db.admin().exec("ALTER ROLE CURRENT_USER IN DATABASE " + db.name() +
                    " SET default_transaction_isolation = 'serializable'");
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        dir.write(std::to_string(round) + "_slow.sql",
                  "SELECT pg_sleep(3);\nCREATE TABLE slow_" + std::to_string(round) + " (id int);\n");

        auto holder = spawn("migrate-only", {"--statement-timeout=30s"});
        ASSERT_TRUE(eventually(
            [&] {
                return db.sql().count(
                           "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND granted "
                           "AND mode = 'ShareUpdateExclusiveLock' "
                           "AND relation = to_regclass('schema_migrations')") == 1;
            },
            15s))
            << holder->err();
        const auto waiter = migrate();

        EXPECT_EQ(waiter.exit_code, 0) << waiter;
        EXPECT_GE(waiter.elapsed, 1s) << waiter;
        EXPECT_TRUE(contains(waiter.err, "Migrations already up"));
        EXPECT_EQ(holder->wait_for(Clock::now() + 20s), 0) << holder->err();
        EXPECT_EQ(db.applied_versions().size(), static_cast<std::size_t>(round));
        if (HasFailure()) {
            break;
        }
    }
}

struct SelfBlockCase {
    const char* name;
    const char* file;
    const char* ddl_lock_timeout;  // shorter than the first check before it was fixed: 200 ms
};

void PrintTo(const SelfBlockCase& self_block, std::ostream* os) {
    *os << self_block.name;
}

class SelfBlock : public PgentryTest, public ::testing::WithParamInterface<SelfBlockCase> {};

// Before: the statement waited for pgentry's own lock session, forever.
TEST_P(SelfBlock, StatementWaitingForPgentrysOwnLockFailsAtOnce) {
    dir.write("1_table.sql", "CREATE TABLE t (id int);\n");
    dir.write("2_maintenance.sql", GetParam().file);

    const auto result =
        pgentry("migrate-only",
                {"--lock=table", std::string("--ddl-lock-timeout=") + GetParam().ddl_lock_timeout}, {}, 20s);

    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_LT(result.elapsed, 10s) << result;
    EXPECT_TRUE(contains(result.err,
                         "2_maintenance.sql:2: migration 2 failed: SQLSTATE 55P03: the "
                         "statement waits for pgentry's own lock on schema_migrations"));
    EXPECT_TRUE(contains(result.err, "name the tables"));
    EXPECT_TRUE(contains(result.err, "--lock=advisory"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(db.migration_locks(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Statements, SelfBlock,
    ::testing::Values(SelfBlockCase{"VacuumAnalyzeWithoutTransaction",
                                    "-- migrate:up transaction:false\nVACUUM ANALYZE;\n", "5s"},
                      SelfBlockCase{"AnalyzeInATransaction", "-- migrate:up\nANALYZE;\n", "5s"},
                      // Before: cancelled by its lock_timeout before the first check, retried for
                      // --ddl-retry-timeout as if an application session were in the way.
                      SelfBlockCase{"VacuumAnalyzeUnderAShortLockTimeout",
                                    "-- migrate:up transaction:false\nVACUUM ANALYZE;\n", "100ms"},
                      SelfBlockCase{"AnalyzeInATransactionUnderAShortLockTimeout",
                                    "-- migrate:up\nANALYZE;\n", "100ms"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace pgentry::test
