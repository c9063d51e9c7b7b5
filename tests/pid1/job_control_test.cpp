// A stopped command: it still gets to handle the stop signals pgentry forwards, and a job-control stop
// (SIGTSTP, SIGTTIN, SIGTTOU) does what it would do without pgentry.
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "harness.hpp"

namespace pid1 {
namespace {

std::string number(int sig) {
    return std::to_string(sig);
}

// Once the probe says "ready", stops the command with SIGSTOP: its pid, or 0 after a failure.
pid_t stopped_command(Init& init) {
    if (!init.wait_for_line("ready")) {
        ADD_FAILURE() << "the probe never got ready: " << init.log();
        return 0;
    }
    const pid_t command = init.command_pid();
    const bool stopped = command > 0 && kill(command, SIGSTOP) == 0 && wait_for_state(command, 'T');
    EXPECT_TRUE(stopped) << "command " << command << ": " << std::strerror(errno);
    return stopped ? command : 0;
}

// Yelp/dumb-init PR #25: a stopped command kept the forwarded SIGTERM pending, its handler never ran, and
// with --stop-timeout 0 pgentry waited forever. SIGCONT follows the SIGTERM.
TEST_F(Pid1Test, StoppedCommandHandlesTheForwardedSigterm) {
    Init init(dir_, {}, probe({"catch", "ready", "record-until=" + number(SIGTERM), "exit=42"}));
    ASSERT_GT(stopped_command(init), 0);
    init.signal(SIGTERM);
    EXPECT_EQ(init.wait_exit(10s), 42) << init.log();
    EXPECT_TRUE(has_line(init.report(), "signal " + number(SIGTERM))) << init.report();
}

// With --signal-group the SIGCONT goes to the group too: a stopped child of the command handles its SIGTERM,
// and the command its own, before --stop-timeout would SIGKILL them.
TEST_F(Pid1Test, StoppedCommandGroupHandlesTheForwardedSigterm) {
    Init init(dir_, {"--signal-group", "--stop-timeout-ms=5000"},
              probe({"grandchild", "catch", "ready", "record-until=" + number(SIGTERM), "exit=42"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    const pid_t command = init.command_pid();
    ASSERT_GT(command, 0);
    const pid_t grandchild = child_of(command);
    ASSERT_GT(grandchild, 0);
    ASSERT_EQ(kill(-command, SIGSTOP), 0) << std::strerror(errno);
    ASSERT_TRUE(wait_for_state(command, 'T'));
    ASSERT_TRUE(wait_for_state(grandchild, 'T'));
    const auto sent = Clock::now();
    init.signal(SIGTERM);
    EXPECT_EQ(init.wait_exit(10s), 42) << init.log();
    EXPECT_LT(Clock::now() - sent, 5s);
    const std::string report = init.report();
    EXPECT_TRUE(has_line(report, "signal " + number(SIGTERM))) << report;
    EXPECT_TRUE(has_line(report, "grandchild signal " + number(SIGTERM))) << report;
    EXPECT_EQ(init.log().find("SIGKILL"), std::string::npos) << init.log();
}

class JobControlStop : public Pid1Test, public ::testing::WithParamInterface<int> {};

// docker run -it without pgentry: the app is PID 1, which the kernel never stops for a SIGTSTP it has no
// handler for, so Ctrl-Z does nothing. Under pgentry as PID 1 the command stops, and pgentry continues it.
// The forwarded SIGUSR1 then reaches a running command: one that stayed stopped would never take it.
TEST_P(JobControlStop, OfTheCommandIsUndoneWhenPgentryIsPid1) {
    const int stop = GetParam();
    Init init(dir_, {"--log-level=debug"}, probe({"ready", "await=" + number(SIGUSR1), "exit=0"}));
    ASSERT_TRUE(init.wait_for_line("ready"));
    const pid_t command = init.command_pid();
    ASSERT_GT(command, 0);
    ASSERT_EQ(kill(command, stop), 0) << std::strerror(errno);
    EXPECT_TRUE(init.wait_for_log_line("[debug] command stopped by SIG" + std::string(sigabbrev_np(stop)) +
                                       ": sent SIGCONT to its process group 2"))
        << init.log();
    init.signal(SIGUSR1);
    EXPECT_EQ(init.wait_exit(10s), 0) << init.log();
    EXPECT_TRUE(has_line(init.report(), "signal " + number(SIGUSR1))) << init.report();
}

INSTANTIATE_TEST_SUITE_P(Signals, JobControlStop, ::testing::Values(SIGTSTP, SIGTTIN, SIGTTOU),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

// The Ctrl-Z of Repro B itself, on a terminal.
TEST_F(Pid1Test, CtrlZOnTheTerminalDoesNotStopTheCommandOfPid1) {
    Init init(dir_, {"--log-level=debug"},
              probe({"--report=" + dir_ + "/report", "ready", "await=" + number(SIGUSR1), "exit=0"}),
              {.terminal = true});
    ASSERT_TRUE(init.wait_for_line("ready"));
    ASSERT_EQ(write(init.terminal_master(), "\x1a", 1), 1);
    EXPECT_TRUE(
        init.wait_for_log_line("[debug] command stopped by SIGTSTP: sent SIGCONT to its process group 2"))
        << init.log();
    init.signal(SIGUSR1);
    EXPECT_EQ(init.wait_exit(10s), 0) << init.log();
}

// An operator's or a debugger's SIGSTOP stays: pgentry continues the command only with a stop signal it
// forwards. SIGWINCH is the barrier: pgentry takes pending signals lowest first, so by the time it forwards
// SIGWINCH it has handled the SIGCHLD of the stop.
TEST_F(Pid1Test, SigstopOfTheCommandIsLeftAlone) {
    Init init(dir_, {"--log-level=debug"}, probe({"ready", "await=" + number(SIGUSR1), "exit=0"}));
    const pid_t command = stopped_command(init);
    ASSERT_GT(command, 0);
    init.signal(SIGWINCH);
    ASSERT_TRUE(init.wait_for_log_line("[debug] forwarded SIGWINCH to pid 2")) << init.log();
    EXPECT_EQ(process_state(command), 'T');
    EXPECT_EQ(init.log().find("stopped by"), std::string::npos) << init.log();
    init.signal(SIGTERM);  // SIGTERM, then SIGCONT: the probe has no handler for it
    EXPECT_EQ(init.wait_exit(10s), 128 + SIGTERM) << init.log();
}

// Run from a shell (not PID 1, in a process group of its own under a parent of the same session), pgentry
// stops too, as dumb-init does, so that the shell's job control sees its job stopped; continued (fg, bg), it
// continues the command.
TEST_F(Pid1Test, SigtstpStopsPgentryTooUnderAShellsJobControl) {
    Init init(dir_, {"--log-level=debug"}, probe({"ready", "await=" + number(SIGUSR1), "exit=0"}),
              {.pid_namespace = false});
    ASSERT_TRUE(init.wait_for_line("ready"));
    const pid_t command = init.command_pid();
    ASSERT_GT(command, 0);
    ASSERT_EQ(kill(command, SIGTSTP), 0) << std::strerror(errno);
    ASSERT_TRUE(wait_for_state(init.launcher(), 'T')) << init.log();
    EXPECT_EQ(process_state(command), 'T');
    ASSERT_EQ(kill(init.launcher(), SIGCONT), 0) << std::strerror(errno);
    EXPECT_TRUE(init.wait_for_log_line(
        "[debug] command stopped by SIGTSTP: sent SIGCONT to its process group " + std::to_string(command)))
        << init.log();
    init.signal(SIGUSR1);
    EXPECT_EQ(init.wait_exit(10s), 0) << init.log();
    EXPECT_TRUE(has_line(init.report(), "signal " + number(SIGUSR1))) << init.report();
}

}  // namespace
}  // namespace pid1
