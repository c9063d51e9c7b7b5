// Forwarding: which signals reach the command, when, and to whom.
#include <unistd.h>

#include <csignal>
#include <set>

#include "harness.hpp"

namespace pid1 {
namespace {

std::string number(int sig) {
    return std::to_string(sig);
}

TEST_F(Pid1Test, ForwardsEveryCatchableSignalButSynchronousOnesAndSigchld) {
    const int barrier = SIGRTMAX;
    Init init(dir_, {}, probe({"catch", "ready", "record-until=" + number(barrier), "exit=0"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    const std::set<int> kept = {SIGCHLD, SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};
    std::vector<int> forwarded;
    for (int sig = 1; sig <= 31; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP && !kept.contains(sig)) {
            forwarded.push_back(sig);
        }
    }
    forwarded.push_back(SIGRTMIN + 3);
    // One at a time: two pending standard signals of one kind would merge.
    for (const int sig : forwarded) {
        init.signal(sig);
        EXPECT_TRUE(init.wait_for_line("signal " + number(sig), 5s)) << sigabbrev_np(sig) << " not forwarded";
    }
    for (const int sig : kept) {
        init.signal(sig);
    }
    // pgentry-init takes pending signals lowest first, and so does the probe: anything forwarded by mistake
    // would be reported before the barrier.
    init.signal(barrier);
    EXPECT_EQ(init.wait_exit(), 0);
    const std::string report = init.report();
    for (const int sig : kept) {
        EXPECT_FALSE(has_line(report, "signal " + number(sig))) << sigabbrev_np(sig) << " forwarded";
    }
    EXPECT_TRUE(has_line(report, "signal " + number(barrier))) << report;
}

TEST_F(Pid1Test, SignalGroupReachesTheCommandsChildren) {
    Init init(dir_, {"--signal-group"},
              probe({"grandchild", "catch", "ready", "record-until=" + number(SIGUSR1),
                     "record-until=" + number(SIGTERM), "exit=0"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    init.signal(SIGUSR1);
    EXPECT_TRUE(init.wait_for_line("grandchild signal " + number(SIGUSR1)));
    EXPECT_TRUE(init.wait_for_line("signal " + number(SIGUSR1)));
    init.signal(SIGTERM);
    EXPECT_EQ(init.wait_exit(), 0);
    EXPECT_TRUE(has_line(init.report(), "grandchild signal " + number(SIGTERM))) << init.report();
}

// Without --signal-group only the command gets the signal; its child, orphaned, then gets the leftovers'
// SIGTERM.
TEST_F(Pid1Test, WithoutSignalGroupOnlyTheCommandGetsSignals) {
    Init init(dir_, {}, probe({"grandchild", "catch", "ready", "record-until=" + number(SIGUSR1), "exit=0"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    init.signal(SIGUSR1);
    EXPECT_EQ(init.wait_exit(), 0);
    const std::string report = init.report();
    EXPECT_TRUE(has_line(report, "signal " + number(SIGUSR1))) << report;
    EXPECT_TRUE(has_line(report, "grandchild signal " + number(SIGTERM))) << report;
    EXPECT_FALSE(has_line(report, "grandchild signal " + number(SIGUSR1))) << report;
}

// A signal that reaches pgentry-init before the command runs is forwarded once the exec is done, never to the
// child before its exec. The probe may be killed by it before it can catch it (138) or catch it (0): either
// way it arrived. The debug log shows it was forwarded after the start.
void expect_delivered_after_exec(Init& init) {
    const std::optional<int> code = init.wait_exit();
    ASSERT_TRUE(code.has_value());
    if (*code == 0) {
        EXPECT_TRUE(has_line(init.report(), "signal " + number(SIGUSR1))) << init.report();
    } else {
        EXPECT_EQ(*code, 128 + SIGUSR1);
    }
    const std::string log = init.log();
    const std::size_t started = log.find("[debug] started '" + probe_bin() + "' as pid 2\n");
    const std::size_t forwarded = log.find("[debug] forwarded SIGUSR1 to pid 2\n");
    EXPECT_NE(started, std::string::npos) << log;
    EXPECT_NE(forwarded, std::string::npos) << log;
    EXPECT_LT(started, forwarded) << log;
}

// pgentry execs pgentry-init with every signal blocked, so one that came during the migrations is pending.
TEST_F(Pid1Test, SignalPendingAtStartIsDeliveredOnceTheCommandRuns) {
    Init init(dir_, {"--log-level=debug"},
              probe({"catch", "ready", "record-until=" + number(SIGUSR1), "exit=0"}),
              {.wrapper = {probe_bin(), "exec-pending=" + number(SIGUSR1)}});
    expect_delivered_after_exec(init);
}

TEST_F(Pid1Test, SignalRightAfterStartReachesTheCommand) {
    Init init(dir_, {"--log-level=debug"},
              probe({"catch", "ready", "record-until=" + number(SIGUSR1), "exit=0"}));
    init.signal(SIGUSR1);  // as soon as pgentry-init has blocked its signals
    expect_delivered_after_exec(init);
}

TEST_F(Pid1Test, StopTimeoutKillsACommandThatIgnoresSigterm) {
    Init init(dir_, {"--stop-timeout-ms=300"}, probe({"ignore=" + number(SIGTERM), "ready", "sleep=30000"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    const auto sent = Clock::now();
    init.signal(SIGTERM);
    EXPECT_EQ(init.wait_exit(), 128 + SIGKILL);
    const auto elapsed = Clock::now() - sent;
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 5s);
    EXPECT_NE(init.log().find("[warn] command did not stop within 300 ms: sending SIGKILL to pid 2\n"),
              std::string::npos)
        << init.log();
}

// nginx -s reload is a SIGHUP: the command reloads and keeps running past --stop-timeout; only a stop signal
// starts the timer.
TEST_F(Pid1Test, StopTimeoutDoesNotStartOnSighup) {
    Init init(dir_, {"--stop-timeout-ms=300"},
              probe({"catch", "ready", "record-until=" + number(SIGTERM), "exit=0"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    init.signal(SIGHUP);
    ASSERT_TRUE(init.wait_for_line("signal " + number(SIGHUP), 5s));
    EXPECT_EQ(init.wait_exit(1500ms), std::nullopt) << "killed after SIGHUP: " << init.log();
    init.signal(SIGTERM);
    EXPECT_EQ(init.wait_exit(), 0);
    EXPECT_TRUE(has_line(init.report(), "signal " + number(SIGTERM))) << init.report();
}

// docker run -it: the command owns the terminal's foreground, so Ctrl-C goes to it directly.
TEST_F(Pid1Test, CtrlCOnTheTerminalReachesTheCommand) {
    Init init(dir_, {}, probe({"--report=" + dir_ + "/report", "state", "ready", "sleep=30000"}),
              {.terminal = true});
    ASSERT_TRUE(init.wait_for_line("ready"));
    EXPECT_TRUE(has_line(init.report(), "foreground yes")) << init.report();
    ASSERT_EQ(write(init.terminal_master(), "\x03", 1), 1);
    EXPECT_EQ(init.wait_exit(), 128 + SIGINT);
}

}  // namespace
}  // namespace pid1
