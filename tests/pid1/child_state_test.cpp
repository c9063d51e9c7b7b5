// What the command starts with: signal state, descriptors, ids.
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

#include "harness.hpp"

namespace pid1 {
namespace {

// The launcher ignores HUP, USR2 and PIPE and blocks QUIT and TSTP, and leaves fd 7 open: none of it reaches
// the command.
TEST_F(Pid1Test, CommandStartsWithCleanSignalStateAndOnlyStdio) {
    Init init(dir_, {},
              probe({"state", "catch", "ready", "record-until=" + std::to_string(SIGUSR1), "exit=0"}),
              {.extra_fd = true});
    ASSERT_TRUE(init.wait_for_line("ready"));
    EXPECT_TRUE(std::filesystem::exists("/proc/" + std::to_string(init.pid()) + "/fd/7"));
    init.signal(SIGUSR1);
    EXPECT_EQ(init.wait_exit(), 0);
    const std::string report = init.report();
    EXPECT_TRUE(has_line(report, "pid 2 ppid 1 pgid 2 sid 0")) << report;
    EXPECT_TRUE(has_line(report, "SigBlk 0000000000000000")) << report;
    EXPECT_TRUE(has_line(report, "SigIgn 0000000000000000")) << report;
    EXPECT_TRUE(has_line(report, "fds 0,1,2")) << report;
}

TEST_F(Pid1Test, DropsToTheGivenUserGroupsAndHome) {
    if (through_pgentry()) {
        GTEST_SKIP() << "pgentry-init's --uid/--gid/--groups/--home (pgentry's --user: the next test)";
    }
    Init init(dir_, {"--uid=65534", "--gid=65534", "--groups=65534", "--home=/nonexistent"},
              probe({"state", "exit=0"}));
    EXPECT_EQ(init.wait_exit(), 0);
    const std::string report = init.report();
    EXPECT_TRUE(has_line(report, "uid 65534 euid 65534 gid 65534 egid 65534 groups 65534")) << report;
    EXPECT_TRUE(has_line(report, "home /nonexistent")) << report;
}

// pgentry resolves the name (pgentry-migrator: glibc's NSS), starts the command as that user, and
// pgentry-init adopts it without any ids of its own.
TEST_F(Pid1Test, PgentryUserOptionStartsTheCommandAsThatUser) {
    if (!through_pgentry()) {
        GTEST_SKIP() << "pgentry's --user: run by the launch-only registration";
    }
    Init init(dir_, {"--user=nobody"}, probe({"state", "exit=0"}));
    EXPECT_EQ(init.wait_exit(), 0);
    const std::string report = init.report();
    EXPECT_TRUE(has_line(report, "uid 65534 euid 65534 gid 65534 egid 65534 groups 65534")) << report;
    EXPECT_TRUE(has_line(report, "home /nonexistent")) << report;
    EXPECT_TRUE(has_line(report, "pid 2 ppid 1 pgid 2 sid 0")) << report;
}

TEST_F(Pid1Test, SwitchingUsersWithoutPrivilegeIs126) {
    if (through_pgentry()) {
        GTEST_SKIP() << "pgentry-init's --uid/--gid";
    }
    Init init(dir_, {"--uid=0", "--gid=0"}, probe({"exit=0"}), {.pid_namespace = false, .user = 65534});
    EXPECT_EQ(init.wait_exit(), 126);
    EXPECT_EQ(init.log(),
              "[error] pgentry: cannot run '" + probe_bin() + "': setgroups: Operation not permitted\n");
}

// Like gosu: a setuid pgentry-init would give the command ids its caller never had.
TEST_F(Pid1Test, RefusesToSwitchUsersWhenSetuid) {
    const std::string setuid_copy = dir_ + "/pgentry-init";
    std::filesystem::copy_file(init_bin(), setuid_copy);
    ASSERT_EQ(chmod(setuid_copy.c_str(), 04755), 0);
    Init init(dir_, {"--uid=65534", "--gid=65534"}, probe({"exit=0"}),
              {.pid_namespace = false, .init = setuid_copy, .user = 65534});
    EXPECT_EQ(init.wait_exit(), 126);
    EXPECT_EQ(init.log(), "[error] pgentry: cannot run '" + probe_bin() +
                              "': refusing to switch users from a setuid or setgid binary\n");
}

}  // namespace
}  // namespace pid1
