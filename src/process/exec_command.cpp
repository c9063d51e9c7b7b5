#include "process/exec_command.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "process/log_line.hpp"

namespace pgentry::process {
namespace {

// Descriptors are marked close-on-exec rather than closed, so that pgentry-init's child keeps its error pipe
// until the exec succeeds. The /proc walk serves kernels older than 5.11 (RHEL 8's 4.18), whose close_range
// lacks the flag.
void close_on_exec_from_3() {
    if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) {
        return;
    }
    DIR* fds = opendir("/proc/self/fd");
    if (fds == nullptr) {
        return;
    }
    while (const dirent* entry = readdir(fds)) {
        if (const int fd = std::atoi(entry->d_name); fd >= 3) {
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
    closedir(fds);
}

// error 0: the process now runs as the user.
ExecFailure switch_user(const Credentials& credentials) {
    // A setuid or setgid pgentry would hand the command ids the invoking user never had (gosu refuses too).
    if (getuid() != geteuid() || getgid() != getegid()) {
        return {ExecFailure::setid_binary, EPERM};
    }
    if (setgroups(credentials.groups.size(), credentials.groups.data()) != 0) {
        return {ExecFailure::setgroups, errno};
    }
    if (setgid(credentials.gid) != 0) {
        return {ExecFailure::setgid, errno};
    }
    if (setuid(credentials.uid) != 0) {
        return {ExecFailure::setuid, errno};
    }
    if (credentials.home != nullptr) {
        setenv("HOME", credentials.home,
               1);  // fails only without memory; the command then keeps the old HOME
    }
    return {ExecFailure::exec, 0};
}

// glibc's sigaction refuses its two internal signals (32, 33), but a launcher that used posix_spawn can
// leave them ignored, and the command would inherit that: the kernel's own call resets them.
void reset_internal_signals() {
    struct KernelSigaction {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)();
        std::uint64_t mask;
    };
    const KernelSigaction default_action{SIG_DFL, 0, nullptr, 0};
    for (int sig = 32; sig < SIGRTMIN; ++sig) {
        syscall(SYS_rt_sigaction, sig, &default_action, nullptr, sizeof default_action.mask);
    }
}

}  // namespace

ExecFailure reset_and_exec(const Credentials* credentials, char* const argv[]) {
    // Ignored signals stay ignored across execve: an app started by a PID 1 that ignored SIGPIPE or SIGHUP
    // would inherit that. KILL and STOP refuse the call, harmlessly.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig <= SIGRTMAX; ++sig) {
        sigaction(sig, &default_action, nullptr);
    }
    reset_internal_signals();
    if (credentials != nullptr) {
        if (const ExecFailure failure = switch_user(*credentials); failure.error != 0) {
            return failure;
        }
    }
    close_on_exec_from_3();
    // The mask survives execve; catatonit left TSTP/TTIN/TTOU blocked in the app.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(argv[0], argv);
    return {ExecFailure::exec, errno};
}

int exit_code_for(const ExecFailure& failure) {
    const bool not_found = failure.error == ENOENT || failure.error == ENOTDIR;
    return failure.step == ExecFailure::exec && not_found ? 127 : 126;
}

void report_exec_failure(const char* command, const ExecFailure& failure) {
    static constexpr const char* step_prefixes[] = {
        "", "setgroups: ", "setgid: ", "setuid: ", "pipe: ", "fork: ", ""};
    const char* reason = failure.step == ExecFailure::setid_binary
                             ? "refusing to switch users from a setuid or setgid binary"
                             : std::strerror(failure.error);
    log_line(LogLevel::error, "pgentry: cannot run '%s': %s%s", command, step_prefixes[failure.step], reason);
}

void exec_command(const Credentials* credentials, char* const argv[]) {
    const ExecFailure failure = reset_and_exec(credentials, argv);
    report_exec_failure(argv[0], failure);
    _exit(exit_code_for(failure));
}

}  // namespace pgentry::process
