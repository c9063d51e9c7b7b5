// --migrate-command as a process of pgentry's (SPEC.md "Other migration tools", issue 12): what pgentry's own
// code decides around the child, beside migrate_command_test's contract cases with the real tools. Markers
// are printed as `echo name-$((6*7))`, so that the output says "name-42" and no log line of pgentry's is
// mistaken for it.
#include <csignal>

#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

class MigrateCommandProcess : public PgentryTest {};

// 8 replicas released at the same instant, each running a command that fails when another copy runs at the
// same time (its row in `running` is the primary key), 5 rounds: the advisory lock lets one run at a time.
TEST_F(MigrateCommandProcess, AdvisoryLockRunsReplicasReleasedTogetherOneAtATime) {
    constexpr int replicas = 8;
    constexpr int rounds = 5;
    db.sql().exec("CREATE TABLE running (id int PRIMARY KEY); CREATE TABLE runs (n serial)");
    const std::string psql = "psql \"$DATABASE_URL\" -X -q -v ON_ERROR_STOP=1 -c ";
    const Args replica =
        command("migrate-only",
                {"--lock=advisory", "--migrate-command=" + psql + "'INSERT INTO running VALUES (1)' && " +
                                        psql + "'INSERT INTO runs DEFAULT VALUES' && sleep 0.05 && " + psql +
                                        "'DELETE FROM running'"});
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        for (const auto& result : run_released_together(std::vector<Args>(replicas, replica), 60s)) {
            EXPECT_EQ(result.exit_code, 0) << result;
        }
        EXPECT_EQ(db.sql().count("SELECT count(*) FROM runs"), round * replicas);
        EXPECT_EQ(db.migration_locks(), 0);
    }
    EXPECT_FALSE(db.has_table("schema_migrations"));
}

// A stop signal while pgentry polls for the lock: the command never runs.
TEST_F(MigrateCommandProcess, SigtermWhileWaitingForTheAdvisoryLockRunsNothing) {
    const LockHolder holder(db, LockMode::advisory, "other-replica");
    auto pgentry = spawn("migrate-only",
                         {"--lock=advisory", "--log-level=debug", "--migrate-command=echo ran-$((6*7))"});
    ASSERT_TRUE(pgentry->wait_for_output("other-replica", Clock::now() + 30s)) << pgentry->err();
    pgentry->signal(SIGTERM);
    EXPECT_EQ(pgentry->wait_for(Clock::now() + 20s), 128 + SIGTERM) << pgentry->err();
    EXPECT_FALSE(contains(pgentry->out(), "ran-42"));
}

// What the command leaves running gets SIGTERM (and its trap runs) before the server starts: the server
// never shares the container with a half-finished migrator.
TEST_F(MigrateCommandProcess, ItsLeftoversAreStoppedBeforeTheServerStarts) {
    const auto result = pgentry(
        "run",
        {"--migrate-command=(trap 'echo stopped-$((6*7)); exit 0' TERM; while :; do sleep 0.05; done) &",
         "--", "/bin/sh", "-c", "echo server-$((6*7))"});
    EXPECT_EQ(result.exit_code, 0) << result;
    const auto stopped = result.out.find("stopped-42");
    ASSERT_NE(stopped, std::string::npos) << result;
    EXPECT_LT(stopped, result.out.find("server-42")) << result;
}

// DATABASE_URL is set for the migrate command only: the server's environment is the one pgentry was given.
TEST_F(MigrateCommandProcess, DatabaseUrlFromTheFlagIsTheCommandsOnly) {
    const auto result = pgentry("run", {"--migrate-command=echo \"command-url=$DATABASE_URL.\"", "--",
                                        "/bin/sh", "-c", "echo \"server-url=${DATABASE_URL-unset}.\""});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "command-url=" + db.url() + ".\n"));
    EXPECT_TRUE(contains(result.out, "server-url=unset.\n"));
}

// No URL given: pgentry waited where libpq's PG* variables point, and the command inherits them unchanged
// (DATABASE_URL stays unset rather than a URL pgentry would make up: README "Choices").
TEST_F(MigrateCommandProcess, WithoutAUrlTheCommandGetsThePgVariables) {
    const auto result = run(
        {pgentry_bin(), "--mode=migrate-only",
         "--migrate-command=echo \"url=${DATABASE_URL-unset}.\"; psql -X -Atc 'SELECT current_database()'"},
        {{"PGDATABASE", db.name()}});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "url=unset.\n"));
    EXPECT_TRUE(contains(result.out, db.name() + "\n"));
}

// A signal other than a stop signal is forwarded too, and does not stop pgentry: the command decides.
TEST_F(MigrateCommandProcess, SigusrReachesTheCommandAndPgentryGoesOn) {
    auto pgentry = spawn("run", {"--migrate-command=trap 'echo usr1-$((6*7)); exit 0' USR1; "
                                 "echo ready-$((6*7)); while :; do sleep 0.05; done",
                                 "--", "/bin/sh", "-c", "echo server-$((6*7))"});
    ASSERT_TRUE(pgentry->wait_for_output("ready-42", Clock::now() + 30s)) << pgentry->err();
    pgentry->signal(SIGUSR1);
    EXPECT_EQ(pgentry->wait_for(Clock::now() + 20s), 0) << pgentry->err();
    EXPECT_TRUE(contains(pgentry->out(), "usr1-42"));
    EXPECT_TRUE(contains(pgentry->out(), "server-42"));
}

}  // namespace
}  // namespace pgentry::test
