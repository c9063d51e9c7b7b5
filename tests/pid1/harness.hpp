#pragma once
// Running pgentry-init under test: as a real PID 1 in a new pid namespace (unshare), directly as a subreaper,
// or on a pseudo-terminal. The command is usually pid1_probe, whose report lines land in report_path().
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "process.hpp"

namespace pid1 {

using namespace std::chrono_literals;
using pgentry::test::Clock;

std::string init_bin();
std::string pgentry_bin();
std::string probe_bin();

// Which program the tests start. pgentry-init itself; or, in CTest's second registration of this suite
// (PID1_THROUGH=pgentry in the environment), `pgentry --mode=launch-only`, which starts the command and
// execs pgentry-init to adopt it (launch/handoff.hpp). The same behaviour is expected of both; tests of
// pgentry-init's own flags skip the second way.
bool through_pgentry();

// {pid1_probe, steps...}
std::vector<std::string> probe(std::vector<std::string> steps);

std::string read_file(const std::string& path);
int count_of(const std::string& text, const std::string& needle);
bool has_line(const std::string& text, const std::string& line);
// How many processes on the machine have this exact word among their arguments (/proc/PID/cmdline).
int count_processes_with_argument(const std::string& word);
// A child of parent (the first /proc lists), or -1.
pid_t child_of(pid_t parent);
// The state letter of /proc/PID/stat ('S', 'T' for stopped...), '?' once the process is gone.
char process_state(pid_t pid);
// Polls /proc/PID/stat until the state is (or, with is = false, is not) this one; false after timeout.
bool wait_for_state(pid_t pid, char state, bool is = true, std::chrono::milliseconds timeout = 10s);

struct Launch {
    bool pid_namespace = true;           // unshare --pid --fork --mount-proc: pgentry-init is PID 1
    bool terminal = false;               // stdin/stdout on a new pseudo-terminal, master at terminal_master()
    bool extra_fd = false;               // leave fd 7 open (not close-on-exec) for pgentry-init to inherit
    std::vector<std::string> wrapper{};  // runs first and execs pgentry-init (probe exec-pending=SIG)
    std::string init = init_bin();       // another copy of pgentry-init (a setuid one): started directly
    std::optional<uid_t> user{};         // start as this uid (and gid) instead of root
};

// One pgentry-init with its command. The launcher starts from a dirty slate: SIGHUP, SIGUSR2 and SIGPIPE
// ignored, SIGQUIT and SIGTSTP blocked. Whatever still runs at destruction is SIGKILLed.
class Init {
public:
    Init(const std::string& dir, const std::vector<std::string>& init_args,
         const std::vector<std::string>& command, Launch launch = {});
    ~Init();
    Init(const Init&) = delete;
    Init& operator=(const Init&) = delete;

    // pgentry-init's pid as seen by the test, once it runs and has blocked its signals; -1 after 10 s.
    pid_t pid();
    // What the test forked: unshare, or pgentry-init itself without a pid namespace.
    pid_t launcher() const { return launcher_; }
    // The command's pid as seen by the test (pgentry-init's first child); -1 after 10 s.
    pid_t command_pid();
    void signal(int sig);
    // The launcher's exit code (unshare passes on pgentry-init's), 128+S if killed by S; nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 20s);

    std::string report() const { return read_file(report_path()); }
    std::string log() const { return read_file(log_path()); }
    std::string report_path() const { return dir_ + "/report"; }
    std::string log_path() const { return dir_ + "/log"; }
    // Polls the report until it has this whole line; false after timeout.
    bool wait_for_line(const std::string& line, std::chrono::milliseconds timeout = 20s) const;
    // Polls pgentry-init's log until it has this whole line; false after timeout.
    bool wait_for_log_line(const std::string& line, std::chrono::milliseconds timeout = 20s) const;
    int terminal_master() const { return master_; }

private:
    std::string dir_;
    Launch launch_;
    pid_t launcher_ = -1;
    pid_t init_ = -1;
    int master_ = -1;
    std::optional<int> exit_code_;  // the launcher's, once reaped
};

// Skips unless root with a working `unshare --pid`; gives each test a fresh directory.
class Pid1Test : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;
    std::string dir_;
};

}  // namespace pid1
