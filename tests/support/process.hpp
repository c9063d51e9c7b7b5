#pragma once
// Running programs (pgentry, pg_ctl, pgentry-init, ...) from a test: pipes for their output, deadlines for
// every wait. No libpq: the PID-1 harness (tests/pid1) shares it.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pgentry::test {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Variables added to (or replacing) the child's environment.
using Env = std::map<std::string, std::string>;

struct RunResult {
    int exit_code = -1;  // 128+S when killed by signal S; -1 when it had to be killed at the timeout
    std::string out;
    std::string err;
    Clock::duration elapsed{};
};

// Prints the exit code and both streams, so that a failed assertion shows what the program said.
std::ostream& operator<<(std::ostream& os, const RunResult& result);

// A child process with stdin on /dev/null and stdout/stderr captured by a reader thread.
// The child inherits the test's environment minus PGENTRY_* and DATABASE_URL* (so that only what a
// test sets explicitly configures pgentry), plus env. It gets no other descriptor of the test, an
// empty signal mask and default dispositions. A child still running at destruction is SIGKILLed.
class Process {
public:
    explicit Process(const std::vector<std::string>& argv, const Env& env = {});
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int signo) const;

    // The exit code once the process has ended (128+S if signalled), nullopt if it still runs at deadline.
    std::optional<int> wait_for(Clock::time_point deadline);

    // Whether needle appeared in stdout or stderr before deadline (false early once both are closed).
    bool wait_for_output(std::string_view needle, Clock::time_point deadline) const;

    std::string out() const;
    std::string err() const;

private:
    void read_output(int out_fd, int err_fd);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    int stop_write_ = -1;  // written to make the reader give up on output a grandchild keeps open
    int stop_read_ = -1;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string out_;
    std::string err_;
    bool closed_ = false;  // both pipes reached end of file
    std::thread reader_;
};

// Runs argv to completion. At the timeout the child is killed, the test fails and exit_code is -1.
RunResult run(const std::vector<std::string>& argv, const Env& env = {}, Clock::duration timeout = 60s);

// The exit code waitpid's status stands for: 128+S when killed by signal S, as a shell reports it.
int exit_code_of(int wait_status);

// Reaps pid, a child of this process, polling every millisecond: its exit code (exit_code_of), or nullopt
// if it still runs at deadline. Throws std::system_error when waitpid fails (pid is no child of ours).
std::optional<int> reap(pid_t pid, Clock::time_point deadline);

// Polls condition every `every` until it holds (true) or timeout passes (false).
template <typename Condition>
bool eventually(Condition condition, Clock::duration timeout, Clock::duration every = 20ms) {
    const auto deadline = Clock::now() + timeout;
    while (!condition()) {
        if (Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(every);
    }
    return true;
}

// A shell command line that prints "fds=0 1 2" (the open descriptors below 1024, in order) of a child the
// shell starts plainly: what any process the command starts inherits. The child tests each descriptor with
// stat, so it opens none itself; listing /proc/$!/fd of a background `sleep` instead raced with dash, which
// holds a close-on-exec descriptor of its own until the child's exec ends (seen in CI: "fds=0 1 2 3").
inline constexpr const char* print_inherited_fds =
    "sh -c 'l=; n=0; while [ $n -lt 1024 ]; do [ -e /proc/$$/fd/$n ] && l=\"$l $n\"; n=$((n+1)); done; "
    "echo \"fds=${l# }\"'";

// Seconds with one decimal, for failure messages.
std::string seconds(Clock::duration d);

}  // namespace pgentry::test
