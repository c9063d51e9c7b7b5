// pid1_probe: the command the pid1 tests run under pgentry-init. It performs its STEPs in order and reports
// what it sees, one line per fact, to --report=FILE or to stdout. Lines go out in single O_APPEND writes, so
// those of its orphans and grandchild interleave whole.
//
//   pid1_probe [--report=FILE] STEP...
//
// STEPs:
//   state                pid/ppid/pgid/sid, SigBlk/SigIgn/SigCgt, open fds, uid/gid/groups, HOME, terminal
//                        foreground
//   catch                block every signal and take them from a signalfd, for record-until
//   ready                report "ready"
//   record-until=SIG     report "signal N" for every signal caught, until SIG; exit 3 after 30 s without it
//   await=SIG            block SIG alone and wait for it (others act by their dispositions: a SIGTSTP stops
//                        the probe meanwhile), then report "signal N"; exit 3 after 30 s without it
//   ignore=SIG           set SIG to SIG_IGN
//   sleep=MS             sleep (signals act by their dispositions)
//   exit=N               exit with N
//   kill-self=SIG        die by SIG
//   orphans=N,MODE       double-fork N orphans and go on once each reported ready. MODE:
//                          exit          exit at once
//                          term-exit     report SIGTERM and exit
//                          term-stay     report SIGTERM, keep running
//                          term-exit-stopped  as term-exit, stopped (SIGSTOP) once ready
//                          term-stay-tree     as term-stay, with a child of its own that does the same
//                          term-respawn  on SIGTERM leave a new child that does term-exit, then exit
//                          parent-exit   exit when the probe exits
//                          report-ppid   report the new parent once re-parented, exit
//   grandchild           a child in the probe's group reporting "grandchild signal N" until SIGTERM
//   wait-reaped          poll /proc until pid 1 and the probe are alone (20 s at most); report
//                        "procs N zombies Z"
//   wait-stopped=N       poll /proc until N processes are stopped (20 s at most); report "stopped N"
//   exec-pending=SIG PROGRAM ARG...
//                        block every signal, make SIG pending and exec PROGRAM: what pgentry hands
//                        pgentry-init
//
// Signals are given by number. Orphans and the grandchild give up after 60 s, so a failed test leaves
// nothing.
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr int helper_lifetime_ms = 60'000;

int report_fd = STDOUT_FILENO;
int signal_fd = -1;  // after catch
// For parent-exit orphans: only the probe keeps the write end, so it closes when the probe exits.
int parent_alive[2] = {-1, -1};

[[gnu::format(printf, 1, 2)]] void report(const char* format, ...) {
    char line[4096];
    va_list args;
    va_start(args, format);
    const int length = std::vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    const auto size = std::min<std::size_t>(static_cast<std::size_t>(length), sizeof line - 2);
    line[size] = '\n';
    if (write(report_fd, line, size + 1) < 0) {
        _exit(90);
    }
}

[[noreturn]] void fail(const char* what) {
    report("probe error: %s: %s", what, std::strerror(errno));
    _exit(99);
}

pid_t fork_or_fail() {
    const pid_t child = fork();
    if (child < 0) {
        fail("fork");
    }
    return child;
}

// A pipe on which a forked child says it is set up, and its parent waits for that.
class ReadyPipe {
public:
    ReadyPipe() {
        if (pipe(fds_) != 0) {
            fail("pipe");
        }
    }
    // In the child, once set up.
    void say_ready() {
        close(fds_[0]);
        if (write(fds_[1], "r", 1) != 1) {
            fail("write ready");
        }
        close(fds_[1]);
    }
    // In the parent; fails naming `who` when the child exits without saying it.
    void wait_ready(const char* who) {
        close(fds_[1]);
        char byte = 0;
        if (read(fds_[0], &byte, 1) != 1) {
            fail(who);
        }
        close(fds_[0]);
    }

private:
    int fds_[2] = {-1, -1};
};

std::int64_t now_ms() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return std::int64_t{now.tv_sec} * 1000 + now.tv_nsec / 1000000;
}

void sleep_ms(std::int64_t ms) {
    const timespec duration{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000};
    timespec left{};
    for (timespec next = duration; nanosleep(&next, &left) != 0 && errno == EINTR;) {
        next = left;
    }
}

// A signalfd for every signal, with all of them blocked.
int catch_all() {
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    const int fd = signalfd(-1, &all, SFD_CLOEXEC);
    if (fd < 0) {
        fail("signalfd");
    }
    return fd;
}

// The next signal from fd, or 0 after timeout_ms.
int next_signal(int fd, std::int64_t timeout_ms) {
    pollfd ready{fd, POLLIN, 0};
    if (poll(&ready, 1, static_cast<int>(std::max<std::int64_t>(timeout_ms, 0))) <= 0) {
        return 0;
    }
    signalfd_siginfo info{};
    if (read(fd, &info, sizeof info) != sizeof info) {
        fail("read signalfd");
    }
    return static_cast<int>(info.ssi_signo);
}

std::string read_text(const char* path) {
    std::string text;
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return text;
    }
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) {
        text.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    return text;
}

void report_state() {
    report("pid %d ppid %d pgid %d sid %d", getpid(), getppid(), getpgrp(), getsid(0));
    const std::string status = read_text("/proc/self/status");
    for (const char* field : {"SigBlk:", "SigIgn:", "SigCgt:"}) {
        const std::size_t at = status.find(field);
        const std::size_t value = status.find_first_not_of(" \t", at + std::strlen(field));
        report("%.6s %s", field, status.substr(value, status.find('\n', value) - value).c_str());
    }
    DIR* fds = opendir("/proc/self/fd");
    std::vector<int> open_fds;
    while (const dirent* entry = readdir(fds)) {
        if (entry->d_name[0] != '.' && std::atoi(entry->d_name) != dirfd(fds)) {
            open_fds.push_back(std::atoi(entry->d_name));
        }
    }
    closedir(fds);
    std::sort(open_fds.begin(), open_fds.end());
    std::string list;
    for (const int fd : open_fds) {
        // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) about "," + std::string (GCC bug 105329).
        list += list.empty() ? "" : ",";
        list += std::to_string(fd);
    }
    report("fds %s", list.c_str());
    gid_t groups[256];
    const int count = getgroups(256, groups);
    std::string group_list;
    for (int i = 0; i < count; ++i) {
        group_list += i == 0 ? "" : ",";
        group_list += std::to_string(groups[i]);
    }
    report("uid %u euid %u gid %u egid %u groups %s", getuid(), geteuid(), getgid(), getegid(),
           group_list.c_str());
    const char* home = std::getenv("HOME");
    report("home %s", home != nullptr ? home : "(unset)");
    report("foreground %s", tcgetpgrp(STDIN_FILENO) == getpgrp() ? "yes" : "no");
}

void record_until(int last) {
    if (signal_fd < 0) {
        fail("record-until needs catch first");
    }
    const std::int64_t deadline = now_ms() + 30'000;
    for (;;) {
        const int sig = next_signal(signal_fd, deadline - now_ms());
        if (sig == 0) {
            report("timeout waiting for signal %d", last);
            _exit(3);
        }
        report("signal %d", sig);
        if (sig == last) {
            return;
        }
    }
}

[[noreturn]] void kill_self(int sig) {
    signal(sig, SIG_DFL);
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, sig);
    sigprocmask(SIG_UNBLOCK, &just, nullptr);
    raise(sig);
    fail("still alive after raise");
}

// Reports each SIGTERM that reaches an orphan (or an orphan's child, as who says), and exits on it when
// exit_on_term; other signals are taken and ignored. Gives up after deadline.
[[noreturn]] void answer_sigterms(int signals, bool exit_on_term, const char* who, std::int64_t deadline) {
    for (;;) {
        const int sig = next_signal(signals, deadline - now_ms());
        if (sig == 0) {
            _exit(4);
        }
        if (sig == SIGTERM && exit_on_term) {
            report("%s %d got SIGTERM, exiting", who, getpid());
            _exit(0);
        }
        if (sig == SIGTERM) {
            report("%s %d got SIGTERM, staying", who, getpid());
        }
    }
}

// term-respawn: a new child, started after the SIGTERM, that does term-exit once its parent is gone.
[[noreturn]] void leave_child_and_exit(int signals, std::int64_t deadline) {
    ReadyPipe ready;
    const pid_t child = fork_or_fail();
    if (child == 0) {
        // Its signals are blocked (inherited) and the signalfd it inherits reads its own: ready at once.
        ready.say_ready();
        answer_sigterms(signals, true, "orphan", deadline);
    }
    ready.wait_ready("respawned child not ready");
    report("orphan %d got SIGTERM, leaving child %d", getpid(), child);
    _exit(0);
}

// In the orphan: set up, tell the probe through ready_fd, then behave as mode says.
[[noreturn]] void run_orphan(std::string_view mode, int ready_fd, pid_t first_parent) {
    const int terms = mode.starts_with("term-") ? catch_all() : -1;
    const std::int64_t deadline = now_ms() + helper_lifetime_ms;
    if (mode == "report-ppid") {
        while (getppid() == first_parent && now_ms() < deadline) {
            sleep_ms(1);
        }
        report("orphan %d ppid %d", getpid(), getppid());
    }
    if (mode == "term-stay-tree") {
        if (fork_or_fail() == 0) {
            close(ready_fd);  // the probe reads until every orphan has closed it
            answer_sigterms(terms, false, "orphan child", deadline);
        }
    }
    if (write(ready_fd, "r", 1) != 1) {
        fail("write ready");
    }
    close(ready_fd);
    if (mode == "exit" || mode == "report-ppid") {
        _exit(0);
    }
    if (mode == "parent-exit") {
        char byte = 0;
        while (read(parent_alive[0], &byte, 1) < 0 && errno == EINTR) {
        }
        _exit(0);
    }
    if (mode == "term-exit-stopped") {
        raise(SIGSTOP);
    }
    if (mode == "term-exit" || mode == "term-exit-stopped") {
        answer_sigterms(terms, true, "orphan", deadline);
    }
    if (mode == "term-stay" || mode == "term-stay-tree") {
        answer_sigterms(terms, false, "orphan", deadline);
    }
    if (mode == "term-respawn") {
        if (next_signal(terms, deadline - now_ms()) != SIGTERM) {
            _exit(4);
        }
        leave_child_and_exit(terms, deadline);
    }
    fail("unknown orphan mode");
}

void spawn_orphans(int count, std::string_view mode) {
    if (mode == "parent-exit" && parent_alive[0] < 0 && pipe(parent_alive) != 0) {
        fail("pipe");
    }
    int ready[2];
    if (pipe(ready) != 0) {
        fail("pipe");
    }
    for (int i = 0; i < count; ++i) {
        const pid_t middle = fork_or_fail();
        if (middle == 0) {
            const pid_t first_parent = getpid();
            const pid_t orphan = fork();
            if (orphan == 0) {
                close(ready[0]);
                close(parent_alive[1]);
                run_orphan(mode, ready[1], first_parent);
            }
            _exit(orphan < 0 ? 1 : 0);
        }
        waitpid(middle, nullptr, 0);
    }
    close(ready[1]);
    char byte = 0;
    while (read(ready[0], &byte, 1) > 0) {
    }
    close(ready[0]);
}

void spawn_grandchild() {
    ReadyPipe ready;
    if (fork_or_fail() == 0) {
        close(parent_alive[1]);
        const int signals = catch_all();
        ready.say_ready();
        const std::int64_t deadline = now_ms() + helper_lifetime_ms;
        for (int sig = 0; (sig = next_signal(signals, deadline - now_ms())) != 0;) {
            report("grandchild signal %d", sig);
            if (sig == SIGTERM) {
                _exit(0);
            }
        }
        _exit(4);
    }
    ready.wait_ready("grandchild not ready");
}

// Calls on_state with the state (R, S, T, Z, ...) of each process in /proc; one gone meanwhile is skipped.
template <typename OnState>
void for_each_process_state(OnState on_state) {
    DIR* proc = opendir("/proc");
    while (const dirent* entry = readdir(proc)) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9') {
            continue;
        }
        const std::string stat = read_text(("/proc/" + std::string(entry->d_name) + "/stat").c_str());
        const std::size_t name_end = stat.rfind(')');
        if (name_end != std::string::npos && name_end + 2 < stat.size()) {
            on_state(stat[name_end + 2]);
        }
    }
    closedir(proc);
}

// Processes in /proc, and zombies among them.
void count_processes(int& processes, int& zombies) {
    processes = zombies = 0;
    for_each_process_state([&](char state) {
        ++processes;
        zombies += state == 'Z' ? 1 : 0;
    });
}

// Processes in /proc that are stopped (state T).
int count_stopped() {
    int stopped = 0;
    for_each_process_state([&](char state) { stopped += state == 'T' ? 1 : 0; });
    return stopped;
}

void wait_stopped(int count) {
    const std::int64_t deadline = now_ms() + 20'000;
    while (count_stopped() < count && now_ms() < deadline) {
        sleep_ms(1);
    }
    report("stopped %d", count_stopped());
}

// sigtimedwait for sig alone: a stop and continue in between make it fail with EINTR (signal(7)).
void await(int sig) {
    sigset_t just;
    sigemptyset(&just);
    sigaddset(&just, sig);
    sigprocmask(SIG_BLOCK, &just, nullptr);
    const std::int64_t deadline = now_ms() + 30'000;
    for (std::int64_t left = deadline - now_ms(); left > 0; left = deadline - now_ms()) {
        const timespec timeout{static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1000000};
        if (sigtimedwait(&just, nullptr, &timeout) == sig) {
            report("signal %d", sig);
            return;
        }
        if (errno != EINTR) {
            break;
        }
    }
    report("timeout waiting for signal %d", sig);
    _exit(3);
}

void wait_reaped() {
    const std::int64_t deadline = now_ms() + 20'000;
    int processes = 0;
    int zombies = 0;
    for (count_processes(processes, zombies); processes > 2 && now_ms() < deadline;
         count_processes(processes, zombies)) {
        sleep_ms(5);
    }
    report("procs %d zombies %d", processes, zombies);
}

int number(std::string_view text) {
    return std::atoi(std::string(text).c_str());
}

}  // namespace

int main(int argc, char** argv) {
    int i = 1;
    if (i < argc && std::string_view(argv[i]).starts_with("--report=")) {
        report_fd = open(argv[i] + std::strlen("--report="), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (report_fd < 0) {
            fail("open report");
        }
        ++i;
    }
    for (; i < argc; ++i) {
        const std::string_view step = argv[i];
        const std::size_t equals = step.find('=');
        const std::string_view name = step.substr(0, equals);
        const std::string_view value = equals == std::string_view::npos ? "" : step.substr(equals + 1);
        if (name == "state") {
            report_state();
        } else if (name == "catch") {
            signal_fd = catch_all();
        } else if (name == "ready") {
            report("ready");
        } else if (name == "record-until") {
            record_until(number(value));
        } else if (name == "ignore") {
            signal(number(value), SIG_IGN);
        } else if (name == "sleep") {
            sleep_ms(number(value));
        } else if (name == "exit") {
            _exit(number(value));
        } else if (name == "kill-self") {
            kill_self(number(value));
        } else if (name == "orphans") {
            const std::size_t comma = value.find(',');
            spawn_orphans(number(value.substr(0, comma)), value.substr(comma + 1));
        } else if (name == "grandchild") {
            spawn_grandchild();
        } else if (name == "wait-reaped") {
            wait_reaped();
        } else if (name == "wait-stopped") {
            wait_stopped(number(value));
        } else if (name == "await") {
            await(number(value));
        } else if (name == "exec-pending") {
            sigset_t all;
            sigfillset(&all);
            sigprocmask(SIG_SETMASK, &all, nullptr);
            kill(getpid(), number(value));
            execv(argv[i + 1], argv + i + 1);
            fail("exec");
        } else {
            errno = EINVAL;
            fail(argv[i]);
        }
    }
    return 0;
}
