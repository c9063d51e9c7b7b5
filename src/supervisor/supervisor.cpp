#include "supervisor/supervisor.hpp"

#include "process/log_line.hpp"
#include "process/signals.hpp"
#include "supervisor/reaper.hpp"
#include "supervisor/spawn.hpp"

#include <sys/wait.h>
#include <algorithm>
#include <csignal>
#include <ctime>

namespace pgentry::supervisor {
namespace {

using namespace process;

// Orphans' grace when --stop-timeout is 0. "Never SIGKILL" is for the command; a daemon that ignores SIGTERM
// must not keep the container alive after its command ended. 5 s leaves half of docker stop's default 10 s.
constexpr std::int64_t default_orphan_grace_ms = 5000;

// tini's safety wake-up: even a lost wake-up delays reaping by at most this long.
constexpr std::int64_t max_wait_ms = 1000;

std::int64_t now_ms() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1000000;
}

// The next signal, waiting at most timeout_ms (capped at max_wait_ms); 0 when none came.
int next_signal(std::int64_t timeout_ms) {
    timeout_ms = std::clamp<std::int64_t>(timeout_ms, 0, max_wait_ms);
    const timespec timeout{static_cast<time_t>(timeout_ms / 1000),
                           static_cast<long>(timeout_ms % 1000) * 1000000};
    sigset_t all;
    sigfillset(&all);
    return std::max(sigtimedwait(&all, nullptr, &timeout), 0);
}

void forward_until_exit(Command& command, const InitArguments& options) {
    const pid_t target = options.signal_group ? -command.pid : command.pid;
    const char* target_kind = options.signal_group ? "process group" : "pid";
    std::int64_t kill_at = 0;  // 0: no SIGKILL due
    char name[16];
    for (;;) {
        reap_children(command);
        if (command.exited) {
            return;
        }
        if (kill_at != 0 && now_ms() >= kill_at) {
            log_line(LogLevel::warn, "command did not stop within %lld ms: sending SIGKILL to %s %d",
                     static_cast<long long>(options.stop_timeout_ms), target_kind, command.pid);
            kill(target, SIGKILL);
            kill_at = 0;
        }
        const int sig = next_signal(kill_at != 0 ? kill_at - now_ms() : max_wait_ms);
        if (sig == 0 || !is_forwarded(sig)) {
            continue;
        }
        kill(target, sig);
        // Formatting the name costs more than the kill: done only when the line is written, so the command's
        // wake-up does not wait for pgentry-init to finish a line nobody reads.
        if (log_enabled(LogLevel::debug)) {
            log_line(LogLevel::debug, "forwarded %s to %s %d", signal_name(sig, name), target_kind,
                     command.pid);
        }
        if (options.stop_timeout_ms > 0 && kill_at == 0 && is_stop_signal(sig)) {
            kill_at = now_ms() + options.stop_timeout_ms;
        }
    }
}

// Processes left behind get SIGTERM and a grace, then SIGKILL: tini and catatonit exit at once and leave them
// to the kernel's SIGKILL (krallin/tini#180). Signals arriving meanwhile are dropped: their command is gone.
void stop_leftovers(Command& command, std::int64_t grace_ms) {
    if (!reap_children(command)) {
        return;
    }
    const int terminated = signal_children(SIGTERM);
    log_line(LogLevel::debug, "sent SIGTERM to %d leftover processes", terminated);
    const std::int64_t kill_at = now_ms() + grace_ms;
    while (reap_children(command)) {
        const std::int64_t left = kill_at - now_ms();
        if (left <= 0) {
            // Orphans of a killed process re-parent to us, so every round looks again.
            const int killed = signal_children(SIGKILL);
            if (killed == 0) {
                return;  // children that /proc does not show: nothing more to do
            }
            log_line(LogLevel::warn, "sent SIGKILL to %d leftover processes still running after %lld ms",
                     killed, static_cast<long long>(grace_ms));
        }
        next_signal(left > 0 ? left : max_wait_ms);
    }
}

int exit_code_of(int status) {
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

}  // namespace

int supervise(const process::InitArguments& options) {
    char* const* argv = options.command;
    int exit_code = 0;
    Command command{spawn_command(options.credentials ? &*options.credentials : nullptr, argv, exit_code)};
    if (command.pid < 0) {
        return exit_code;
    }
    log_line(LogLevel::debug, "started '%s' as pid %d", argv[0], command.pid);
    forward_until_exit(command, options);
    exit_code = exit_code_of(command.status);
    char name[16];
    if (WIFSIGNALED(command.status)) {
        log_line(LogLevel::debug, "command killed by %s: exiting %d",
                 signal_name(WTERMSIG(command.status), name), exit_code);
    } else {
        log_line(LogLevel::debug, "command exited with %d", exit_code);
    }
    stop_leftovers(command, options.stop_timeout_ms > 0 ? options.stop_timeout_ms : default_orphan_grace_ms);
    return exit_code;
}

}  // namespace pgentry::supervisor
