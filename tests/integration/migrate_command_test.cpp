// --migrate-command (SPEC.md "Other migration tools", issue 12): another tool's migrator run by pgentry after
// waiting, under PID-1 care, and (with --lock=advisory) one replica at a time. Every test name contains
// MigrateCommand: `ctest -R MigrateCommand` runs them all (with the refused modes of bad_input_test.cpp).
//
// Markers the tests wait for are printed as `echo ready-$((6*7))`: the output says "ready-42", while
// pgentry's log of the command's text does not, so a log line is never mistaken for the command's output.
#include <unistd.h>

#include <csignal>

#include "migrators.hpp"

namespace pgentry::test {
namespace {

const Args server{"--", "/bin/sh", "-c", "echo server-$((6*7))"};

// --migrate-command=COMMAND followed by the server, for --mode=run.
Args migrating(const std::string& command, Args extra = {}) {
    extra.push_back("--migrate-command=" + command);
    extra.insert(extra.end(), server.begin(), server.end());
    return extra;
}

// --- 8 replicas released together, with each real tool --------------------------------------------------

class MigrateCommandRace : public PgentryTest, public ::testing::WithParamInterface<MigratorTool> {
protected:
    Args replica(const TestDatabase& fresh, bool advisory) const {
        Args extra{"--migrate-command=" + migrator_command(GetParam())};
        if (advisory) {
            extra.push_back("--lock=advisory");
        }
        return command(fresh.url(), "migrate-only", extra);
    }
};

TEST_P(MigrateCommandRace, EightReplicasUnderTheAdvisoryLockRunEachMigrationOnce) {
    const auto& tool = GetParam();
    race(
        "pgentry --lock=advisory " + tool.name, tool, asserted_race_rounds,
        [&](const TestDatabase& fresh) { return replica(fresh, true); },
        [&](TestDatabase& fresh, const std::vector<RunResult>& results) {
            for (const auto& result : results) {
                EXPECT_EQ(result.exit_code, 0) << result;
            }
            EXPECT_EQ(migrator_state(fresh, tool), tool.migrated);
            EXPECT_FALSE(fresh.has_table("schema_migrations")) << "pgentry made its own history table";
        });
}

// The race the lock prevents, recorded; asserted is what pgentry says about the replicas that lose it.
TEST_P(MigrateCommandRace, EightReplicasWithoutALockRaceAndTheLosersExit70) {
    const auto& tool = GetParam();
    race(
        "pgentry without a lock " + tool.name, tool, recorded_race_rounds,
        [&](const TestDatabase& fresh) { return replica(fresh, false); },
        [&](TestDatabase& fresh, const std::vector<RunResult>& results) {
            for (const auto& result : results) {
                if (result.exit_code != 0) {
                    EXPECT_EQ(result.exit_code, 70) << result;
                    EXPECT_TRUE(contains(result.err, "migrate command exited with "));
                }
            }
            EXPECT_FALSE(fresh.has_table("schema_migrations")) << "pgentry made its own history table";
        });
}

INSTANTIATE_TEST_SUITE_P(MigrateCommand, MigrateCommandRace, ::testing::ValuesIn(migrator_tools()),
                         [](const auto& info) { return info.param.name; });

// --- the command as a process ------------------------------------------------------------------------------

class MigrateCommand : public PgentryTest {};

TEST_F(MigrateCommand, SigtermWhileItRunsReachesItsTrapAndNoServerStarts) {
    auto pgentry = spawn("run", migrating("trap 'echo trapped-$((6*7)); exit 0' TERM; echo ready-$((6*7)); "
                                          "while :; do sleep 0.05; done"));
    ASSERT_TRUE(pgentry->wait_for_output("ready-42", Clock::now() + 30s)) << pgentry->err();
    pgentry->signal(SIGTERM);
    EXPECT_EQ(pgentry->wait_for(Clock::now() + 20s), 128 + SIGTERM) << pgentry->out() << pgentry->err();
    EXPECT_TRUE(contains(pgentry->out(), "trapped-42"));
    EXPECT_FALSE(contains(pgentry->out(), "server-42"));
}

TEST_F(MigrateCommand, StopTimeoutKillsACommandThatIgnoresSigterm) {
    auto pgentry = spawn("run", migrating("trap '' TERM; echo ready-$((6*7)); while :; do sleep 0.05; done",
                                          {"--stop-timeout=1s"}));
    ASSERT_TRUE(pgentry->wait_for_output("ready-42", Clock::now() + 30s)) << pgentry->err();
    const auto sent = Clock::now();
    pgentry->signal(SIGTERM);
    EXPECT_EQ(pgentry->wait_for(Clock::now() + 20s), 128 + SIGTERM) << pgentry->out() << pgentry->err();
    EXPECT_GE(Clock::now() - sent, 900ms);
    EXPECT_LT(Clock::now() - sent, 10s);
    EXPECT_FALSE(contains(pgentry->out(), "server-42"));
}

TEST_F(MigrateCommand, FailingCommandExits70AndNoServerStarts) {
    const auto result = pgentry("run", migrating("echo cannot-migrate >&2; exit 3"));
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_TRUE(contains(result.err, "migrate command exited with 3"));
    EXPECT_TRUE(contains(result.err, "cannot-migrate")) << "the command's stderr is the container's";
    EXPECT_FALSE(contains(result.out, "server-42"));
}

TEST_F(MigrateCommand, CommandKilledBySignalExits70NamingTheSignal) {
    const auto result = pgentry("migrate-only", {"--migrate-command=kill -KILL $$"});
    EXPECT_EQ(result.exit_code, 70) << result;
    const auto said = line_with(result.err, {"migrate command", "killed by signal"});
    EXPECT_TRUE(said.find('9') != std::string::npos || said.find("KILL") != std::string::npos) << result;
}

TEST_F(MigrateCommand, ExitZeroInMigrateOnlyExitsZeroWithoutTheSqlFiles) {
    dir.write("20240101000001_a.sql", "CREATE TABLE from_sql_files (id int);\n");
    const auto result = pgentry("migrate-only", {"--migrate-command=echo migrated-$((6*7))"});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "migrated-42"));
    EXPECT_FALSE(db.has_table("from_sql_files")) << "the SQL files were applied too";
    EXPECT_FALSE(db.has_table("schema_migrations"));
}

// The lock connection pgentry holds while the command runs is one of its descriptors: none reaches the
// command.
TEST_F(MigrateCommand, CommandHasOnlyDescriptorsZeroToTwo) {
    const auto result =
        pgentry("migrate-only", {"--lock=advisory", "--migrate-command=" + std::string(print_inherited_fds)});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "fds=0 1 2\n"));
}

TEST_F(MigrateCommand, DatabaseUrlFromAFileReachesIt) {
    // As `echo` makes a Kubernetes secret: with a trailing newline, which pgentry strips.
    const auto file = dir.write("database-url", db.url() + "\n");
    const auto result = run({pgentry_bin(), "--mode=migrate-only", "--database-url-file=" + file.string(),
                             "--migrate-command=echo \"url=$DATABASE_URL.\""});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "url=" + db.url() + ".\n"));
}

TEST_F(MigrateCommand, DatabaseUrlFromTheFlagReplacesTheEnvironments) {
    const auto result = pgentry("migrate-only", {"--migrate-command=echo \"url=$DATABASE_URL.\""},
                                {{"DATABASE_URL", "postgresql://elsewhere.invalid/other"}});
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "url=" + db.url() + ".\n"));
}

// The database comes up 2 s after pgentry started: the command runs only once it accepts connections.
TEST_F(MigrateCommand, WaitsForTheDatabaseBeforeRunningIt) {
    PrivateCluster cluster;
    const auto started = Clock::now();
    Process pgentry(
        command(cluster.url(), "run",
                migrating("psql \"$DATABASE_URL\" -Atc 'SELECT 1' >/dev/null && echo migrated-$((6*7))",
                          {"--wait-timeout=60s"})));
    ASSERT_TRUE(pgentry.wait_for_output("waiting for database", Clock::now() + 20s)) << pgentry.err();
    EXPECT_FALSE(pgentry.wait_for_output("migrated-42", started + 2s)) << pgentry.out();
    cluster.start();

    EXPECT_EQ(pgentry.wait_for(Clock::now() + 60s), 0) << pgentry.out() << pgentry.err();
    const auto out = pgentry.out();
    EXPECT_LT(out.find("migrated-42"), out.find("server-42")) << out;
    EXPECT_NE(out.find("server-42"), std::string::npos) << out;
}

TEST_F(MigrateCommand, HoldsTheAdvisoryLockWhileItRuns) {
    const std::string count_advisory_locks =
        "--migrate-command=psql \"$DATABASE_URL\" -Atc \"SELECT 'advisory=' || count(*) FROM pg_locks "
        "WHERE locktype = 'advisory' AND granted AND database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())\"";
    const auto locked = pgentry("migrate-only", {"--lock=advisory", count_advisory_locks});
    EXPECT_EQ(locked.exit_code, 0) << locked;
    EXPECT_TRUE(contains(locked.out, "advisory=1\n"));

    // Without --lock=advisory pgentry takes no lock: Ecto, Rails and Prisma lock by themselves.
    const auto unlocked = pgentry("migrate-only", {count_advisory_locks});
    EXPECT_EQ(unlocked.exit_code, 0) << unlocked;
    EXPECT_TRUE(contains(unlocked.out, "advisory=0\n"));
    EXPECT_FALSE(db.has_table("schema_migrations"));
    EXPECT_EQ(db.migration_locks(), 0);
}

TEST_F(MigrateCommand, LockTimeoutWhileAnotherHoldsTheAdvisoryLockRunsNothing) {
    const LockHolder holder(db, LockMode::advisory, "other-replica");
    const auto result = pgentry(
        "migrate-only", {"--lock=advisory", "--lock-timeout=1s", "--migrate-command=echo ran-$((6*7))"});
    EXPECT_EQ(result.exit_code, 75) << result;
    EXPECT_TRUE(contains(result.err, "other-replica"));
    EXPECT_FALSE(contains(result.out, "ran-42"));
}

// pgentry as PID 1 (unshare --pid, as in a container): the command's orphans are reparented to it and reaped
// while the command still runs. The command waits (10 s at most) until its orphans are gone and no zombie is
// left, then says what it saw. Here rather than in pid1_tests: it needs a database.
TEST_F(MigrateCommand, OrphansAreReapedWhilePgentryIsPid1) {
    if (geteuid() != 0) {
        GTEST_SKIP() << "needs root for unshare --pid";
    }
    if (run({"unshare", "--pid", "--fork", "--mount-proc", "true"}, {}, 20s).exit_code != 0) {
        GTEST_SKIP() << "`unshare --pid --fork --mount-proc` does not work here";
    }
    Args argv{"unshare", "--pid", "--fork", "--mount-proc"};
    for (const auto& arg :
         command("migrate-only",
                 {"--migrate-command=(sleep 0.3 &); (sleep 0.3 &); echo pid1=$(cat /proc/1/comm); i=0; "
                  "while [ $i -lt 100 ]; do live=$(ps -e -o args= | grep -c '^sleep 0.3$'); "
                  "zombies=$(ps -e -o stat= | grep -c '^Z'); [ \"$live$zombies\" = 00 ] && break; "
                  "i=$((i+1)); sleep 0.1; done; echo orphans=$live zombies=$zombies"})) {
        argv.push_back(arg);
    }
    const auto result = run(argv);
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(result.out, "pid1=pgentry"));
    EXPECT_TRUE(contains(result.out, "orphans=0 zombies=0\n"));
}

}  // namespace
}  // namespace pgentry::test
