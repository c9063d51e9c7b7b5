#include "supervisor/run_to_completion.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <ctime>

#include "process/log_line.hpp"
#include "process/signals.hpp"
#include "supervisor/reaper.hpp"

namespace pgentry::supervisor {
namespace {

using namespace process;

// Orphans' grace when --stop-timeout is 0. "Never SIGKILL" is for the command; a daemon that ignores SIGTERM
// must not keep the container alive after its command ended. 5 s leaves half of docker stop's default 10 s.
constexpr std::int64_t default_orphan_grace_ms = 5000;

// tini's safety wake-up: even a lost wake-up delays reaping by at most this long.
constexpr std::int64_t max_wait_ms = 1000;

// How often the leftovers' grace looks for processes orphaned since the SIGTERM: the kernel tells a new
// parent nothing, and a /proc scan per SIGCHLD would cost a thousand scans for a thousand orphans exiting.
constexpr std::int64_t leftover_scan_ms = 100;

// How often the loop looks whether the command has exec'd, until it has (an exec takes about a millisecond).
// Waiting on the report instead, pgentry-init was woken by the command's exec, and the scheduler then placed
// it so that forwarding a SIGTERM took 1.3x tini's time (bench/cases/07, 2 CPUs); reading the report just
// before the first forward cost as much again.
constexpr std::int64_t exec_check_ms = 1;

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

// The signals that stop pgentry itself while it waits or migrates (db::EventLoop reads the same four).
bool stops_pgentry(int sig) {
    return is_stop_signal(sig) || sig == SIGHUP;
}

// Whether the kernel would stop this process for a SIGTSTP, SIGTTIN or SIGTTOU it has no handler for: what it
// does to the command in pgentry's place. Never to a pid namespace's init (the app as PID 1, `docker run
// -it`, where Ctrl-Z does nothing), nor to a member of an orphaned process group, which no shell is left to
// continue (POSIX; the app started by systemd, or with setsid). Otherwise, as a job of an interactive shell:
// our parent is in our session, in another group. (Other members of our group, a pipeline beside pgentry, are
// not looked at.)
bool job_control_stops_self() {
    const pid_t parent = getppid();
    return getpid() != 1 && parent > 0 && getsid(parent) == getsid(0) && getpgid(parent) != getpgrp();
}

// The command stopped, and waitpid said why. It runs in a process group of its own, so that the terminal's
// Ctrl-Z (SIGTSTP) and background reads and writes (SIGTTIN, SIGTTOU) stop it and not pgentry: nothing would
// continue it, and pgentry would wait forever. Behave as the kernel would have with the command in pgentry's
// place: where it would not have stopped it, continue the command's group; where it would have, stop pgentry
// too, as dumb-init does (Yelp/dumb-init#25), so that the shell sees its job stopped, and continue the group
// when the shell continues pgentry (fg or bg). A SIGSTOP is left alone: an operator or a debugger sent it.
void on_command_stopped(Command& command, const ChildSpec& child) {
    const int sig = command.stopped_by;
    command.stopped_by = 0;
    if (sig != SIGTSTP && sig != SIGTTIN && sig != SIGTTOU) {
        return;
    }
    char name[16];
    const pid_t group = getpgid(command.pid);
    if (job_control_stops_self()) {
        log_line(LogLevel::debug, "%s stopped by %s: stopping pgentry too", child.role,
                 signal_name(sig, name));
        raise(SIGSTOP);
        // Continued. `fg` gave pgentry's group the terminal: the command's group had it.
        if (group > 0 && tcgetpgrp(STDIN_FILENO) == getpgrp()) {
            tcsetpgrp(STDIN_FILENO, group);  // SIGTTOU is blocked, which the kernel treats as ignored
        }
    }
    if (group <= 0 || kill(-group, SIGCONT) != 0) {
        kill(command.pid, SIGCONT);
    }
    log_line(LogLevel::debug, "%s stopped by %s: sent SIGCONT to its process group %d", child.role,
             signal_name(sig, name), group);
}

// Returns the first signal that stops pgentry forwarded meanwhile, or 0.
int forward_until_exit(Command& command, StartedCommand& started, const ChildSpec& child,
                       const StopPolicy& policy) {
    const pid_t target = policy.signal_group ? -command.pid : command.pid;
    const char* target_kind = policy.signal_group ? "process group" : "pid";
    std::int64_t kill_at = 0;  // 0: no SIGKILL due
    int first_stop = 0;
    char name[16];
    for (;;) {
        reap_children(command);
        if (command.exited) {
            return first_stop;
        }
        if (command.stopped_by != 0) {
            on_command_stopped(command, child);
        }
        if (kill_at != 0 && now_ms() >= kill_at) {
            log_line(LogLevel::warn, "%s did not stop within %lld ms: sending SIGKILL to %s %d", child.role,
                     static_cast<long long>(policy.stop_timeout_ms), target_kind, command.pid);
            kill(target, SIGKILL);
            kill_at = 0;
        }
        const std::int64_t wait_ms = exec_reported(started) ? max_wait_ms : exec_check_ms;
        const int sig = next_signal(kill_at != 0 ? std::min(kill_at - now_ms(), wait_ms) : wait_ms);
        if (sig == 0 || !is_forwarded(sig)) {
            continue;
        }
        // Not before the command's exec (SPEC: a signal that arrives meanwhile is delivered once the command
        // runs, not fatal to it): in the child, pending signals would meet default dispositions.
        await_exec(started);
        kill(target, sig);
        // A stopped command (kill -STOP, or a job-control stop left in place) would hold a stop signal
        // pending until someone continued it, and with --stop-timeout 0 pgentry would wait for it forever
        // (Yelp/dumb-init#25): SIGCONT follows, as systemd sends it after each signal of a unit's stop. After
        // the first kill, so that the first signal's latency stays one kill (bench/cases/07).
        const bool stops = stops_pgentry(sig);
        if (stops) {
            kill(target, SIGCONT);
        }
        // Formatting the name costs more than the kill: done only when the line is written, so the command's
        // wake-up does not wait for pgentry to finish a line nobody reads.
        if (log_enabled(LogLevel::debug)) {
            log_line(LogLevel::debug, "forwarded %s%s to %s %d", signal_name(sig, name),
                     stops ? " (then SIGCONT)" : "", target_kind, command.pid);
        }
        if (first_stop == 0 && stops) {
            first_stop = sig;
        }
        if (policy.stop_timeout_ms > 0 && kill_at == 0 && is_stop_signal(sig)) {
            kill_at = now_ms() + policy.stop_timeout_ms;
        }
    }
}

// The grace is over: SIGKILL to every leftover, again until a sweep finds none new (a process forked as the
// sweep ran; a killed one forks no more), then one warning with their number and the time since the SIGTERM.
void kill_leftovers(Command& command, std::int64_t terminated_at) {
    PidSet killed;
    for (Sweep sweep = signal_leftovers(SIGKILL, Reach::descendants, killed); sweep.signalled > 0;) {
        sweep = signal_leftovers(SIGKILL, Reach::descendants, killed);
    }
    if (killed.size() > 0) {
        log_line(LogLevel::warn, "sent SIGKILL to %zu leftover processes still running after %lld ms",
                 killed.size(), static_cast<long long>(now_ms() - terminated_at));
    }
    // Until they are gone, or /proc shows none of them running: what it does not show (another namespace's
    // /proc), or pgentry may not signal, nothing can be done about.
    while (reap_children(command)) {
        const Sweep sweep = signal_leftovers(SIGKILL, Reach::descendants, killed);
        if (sweep.blind || sweep.alive == 0) {
            return;
        }
        next_signal(leftover_scan_ms);
    }
}

// Processes left behind get SIGTERM and a grace, then SIGKILL: tini and catatonit exit at once and leave them
// to the kernel's SIGKILL (krallin/tini#180). Every one of them, the orphans' own children too: as the
// kernel's SIGKILL would have reached them all, so does the SIGTERM; SIGKILLing only the orphans re-parented
// children that then had SIGKILL without any SIGTERM, and a warning each round (Yelp/dumb-init#212). Signals
// arriving meanwhile are dropped: their command is gone.
void stop_leftovers(Command& command, std::int64_t grace_ms) {
    if (!reap_children(command)) {
        return;
    }
    const std::int64_t terminated_at = now_ms();
    PidSet terminated;
    const Sweep sweep = signal_leftovers(SIGTERM, Reach::descendants, terminated);
    log_line(LogLevel::debug, "sent SIGTERM (then SIGCONT) to %d leftover processes", sweep.signalled);
    const std::int64_t kill_at = terminated_at + grace_ms;
    std::int64_t next_scan = terminated_at + leftover_scan_ms;
    while (reap_children(command)) {
        const std::int64_t now = now_ms();
        if (now >= kill_at) {
            kill_leftovers(command, terminated_at);
            return;
        }
        // A process started after the sweep and orphaned since (a leftover's child, whose parent exited on
        // its SIGTERM) has had none: it gets its own before any SIGKILL. Only orphans: a leftover's new
        // children are its own to stop (a shutdown script its trap runs must not be cut short).
        if (now >= next_scan) {
            const Sweep late = signal_leftovers(SIGTERM, Reach::children, terminated);
            if (late.signalled > 0) {
                log_line(LogLevel::debug, "sent SIGTERM (then SIGCONT) to %d processes orphaned since",
                         late.signalled);
            }
            next_scan = now + leftover_scan_ms;
        }
        next_signal(std::min(kill_at, next_scan) - now);
    }
}

// Outside a pid namespace the child's orphans would go to the host's init: adopt them instead, for the
// child's life only. The flag survives execve, and a server exec'd by --launch=exec after the migrate command
// would collect orphans it never reaps.
class OrphanAdoption {
public:
    OrphanAdoption() {
        int already = 0;
        prctl(PR_GET_CHILD_SUBREAPER, &already);
        adopted_ = getpid() != 1 && already == 0 && prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
    }
    OrphanAdoption(const OrphanAdoption&) = delete;
    OrphanAdoption& operator=(const OrphanAdoption&) = delete;
    ~OrphanAdoption() {
        if (adopted_) {
            prctl(PR_SET_CHILD_SUBREAPER, 0);
        }
    }

private:
    bool adopted_ = false;
};

}  // namespace

ChildExit run_to_completion(const ChildSpec& child, const StopPolicy& policy) {
    const OrphanAdoption adoption;
    // The child takes the terminal's foreground (spawn.hpp); a later child (the server, after the migrate
    // command) finds it only if pgentry's group has it again.
    const bool holds_terminal = tcgetpgrp(STDIN_FILENO) == getpgrp();
    ChildExit result;
    // The exec is not waited for here: pgentry-init goes to its loop at once, as tini does (exec_check_ms).
    StartedCommand started =
        child.started.pid > 0 ? child.started : start_command(child.credentials, child.argv, result.value);
    if (started.pid < 0) {
        return result;
    }
    Command command{started.pid};
    log_line(LogLevel::debug, "started '%s' as pid %d", child.argv[0], command.pid);
    result.stop_signal = forward_until_exit(command, started, child, policy);
    if (holds_terminal) {
        tcsetpgrp(STDIN_FILENO, getpgrp());  // SIGTTOU is blocked, which the kernel treats as ignored
    }
    char name[16];
    await_exec(started);
    if (started.failure) {
        report_exec_failure(child.argv[0], *started.failure);
        result = {ChildExit::How::not_started, exit_code_for(*started.failure), result.stop_signal};
    } else if (WIFSIGNALED(command.status)) {
        result = {ChildExit::How::killed, WTERMSIG(command.status), result.stop_signal};
        log_line(LogLevel::debug, "%s killed by %s", child.role, signal_name(result.value, name));
    } else {
        result = {ChildExit::How::exited, WEXITSTATUS(command.status), result.stop_signal};
        log_line(LogLevel::debug, "%s exited with %d", child.role, result.value);
    }
    stop_leftovers(command, policy.stop_timeout_ms > 0 ? policy.stop_timeout_ms : default_orphan_grace_ms);
    return result;
}

}  // namespace pgentry::supervisor
