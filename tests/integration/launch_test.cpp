// The whole chain as a container runs it: pgentry as PID 1 migrates, then the command runs under
// pgentry-init with a clean slate (SPEC.md "PID 1 duties"); the password never reaches a cmdline.
#include <unistd.h>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class Launch : public PgentryTest {
protected:
    void SetUp() override {
        if (geteuid() != 0) {
            GTEST_SKIP() << "needs root for unshare --pid";
        }
        // Root without CAP_SYS_ADMIN, as in a `docker build` container, may not make namespaces.
        if (run({"unshare", "--pid", "--fork", "--mount-proc", "true"}, {}, 20s).exit_code != 0) {
            GTEST_SKIP() << "`unshare --pid --fork --mount-proc` does not work here";
        }
    }

    // pgentry --mode=run ... -- sh -c script, as PID 1 of a new PID namespace.
    RunResult run_as_pid1(const std::string& script) const {
        Args argv{"unshare", "--pid", "--fork", "--mount-proc"};
        for (const auto& arg : command("run", {"--", "/bin/sh", "-c", script})) {
            argv.push_back(arg);
        }
        return run(argv);
    }
};

TEST_F(Launch, CommandStartsAfterMigratingWithOnlyItsOwnDescriptorsAndAnEmptySignalMask) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = run_as_pid1(
        // The command starts before pgentry-init replaces pgentry as PID 1 (launch/handoff.hpp): wait for it.
        "i=0; until [ \"$(cat /proc/1/comm)\" = pgentry-init ] || [ $i -ge 500 ]; do sleep 0.01; i=$((i+1)); "
        "done; "
        "echo ppid=$PPID; echo init=$(cat /proc/1/comm); "
        // Read by the shell itself: a forked grep would see the mask dash holds while it waits.
        "while read -r line; do case $line in SigBlk:*|SigIgn:*) echo $line;; esac; done </proc/$$/status; "
        // The descriptors of a child started plainly: the shell's own list changes with its pipelines.
        + std::string(print_inherited_fds) +
        "; "
        "tr '\\0' ' ' </proc/1/cmdline; echo; exit 3");

    EXPECT_EQ(result.exit_code, 3) << result;
    EXPECT_TRUE(db.has_table("a"));
    EXPECT_TRUE(contains(result.out, "ppid=1\n"));  // PID 1's child (pid 2 may be a thread of the migrator)
    EXPECT_TRUE(contains(result.out, "init=pgentry-init\n"));
    EXPECT_TRUE(contains(result.out, "SigBlk: 0000000000000000\n"));
    EXPECT_TRUE(contains(result.out, "SigIgn: 0000000000000000\n"));
    EXPECT_TRUE(contains(result.out, "fds=0 1 2\n"));
    EXPECT_FALSE(contains(result.out, db.server().password)) << "the password is on PID 1's cmdline";
}

TEST_F(Launch, CommandKilledBySignalGives128PlusTheSignal) {
    const auto result = run_as_pid1("kill -TERM $$");
    EXPECT_EQ(result.exit_code, 128 + SIGTERM) << result;
}

TEST_F(Launch, FailedMigrationStartsNoCommand) {
    dir.write("20240101000001_bad.sql", "SELECT * FROM missing;\n");
    const auto result = run_as_pid1("echo started");
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(contains(result.out, "started"));
}

}  // namespace
}  // namespace pgentry::test
