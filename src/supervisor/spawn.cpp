#include "supervisor/spawn.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace pgentry::supervisor {
namespace {

using process::Credentials;
using process::ExecFailure;

// In the child, with every signal still blocked.
[[noreturn]] void become_command(const Credentials* credentials, char* const argv[], int error_pipe) {
    // stdin is our controlling terminal and pgentry-init's group has its foreground (docker run -it): hand
    // the foreground to the command so that Ctrl-C and job control reach it as without pgentry.
    const bool take_terminal = tcgetpgrp(STDIN_FILENO) == getpgrp();
    // An own group in every case, so that --signal-group addresses the command and its children only.
    setpgid(0, 0);
    // tcsetpgrp from a background group raises SIGTTOU unless it is ignored (tini commit 88342ef); the kernel
    // treats a blocked SIGTTOU as ignored, and here it is blocked.
    if (take_terminal) {
        tcsetpgrp(STDIN_FILENO, getpid());
    }
    const ExecFailure failure = reset_and_exec(credentials, argv);
    // Should the report not get through, the parent still sees this exit code as the command's.
    [[maybe_unused]] const ssize_t written = write(error_pipe, &failure, sizeof failure);
    _exit(exit_code_for(failure));
}

void report(const char* command, const ExecFailure& failure, int& exit_code) {
    report_exec_failure(command, failure);
    exit_code = exit_code_for(failure);
}

}  // namespace

StartedCommand start_command(const Credentials* credentials, char* const argv[], int& exit_code) {
    // The child writes its ExecFailure here; a successful exec closes the pipe (O_CLOEXEC) and the read sees
    // EOF.
    int error_pipe[2];
    if (pipe2(error_pipe, O_CLOEXEC) != 0) {
        report(argv[0], {ExecFailure::pipe, errno}, exit_code);
        return {};
    }
    const pid_t pid = fork();
    if (pid < 0) {
        const int error = errno;
        close(error_pipe[0]);
        close(error_pipe[1]);
        report(argv[0], {ExecFailure::fork, error}, exit_code);
        return {};
    }
    if (pid == 0) {
        close(error_pipe[0]);
        become_command(credentials, argv, error_pipe[1]);
    }
    close(error_pipe[1]);
    return {pid, error_pipe[0], std::nullopt};
}

bool exec_reported(StartedCommand& started) {
    if (started.exec_report < 0) {
        return true;
    }
    pollfd report{started.exec_report, POLLIN, 0};
    if (poll(&report, 1, 0) == 0) {
        return false;
    }
    ExecFailure failure{};
    ssize_t length = 0;
    do {
        length = read(started.exec_report, &failure, sizeof failure);
    } while (length < 0 && errno == EINTR);
    close(started.exec_report);
    started.exec_report = -1;
    if (length == sizeof failure) {
        started.failure = failure;
    }
    return true;
}

void await_exec(StartedCommand& started) {
    while (started.exec_report >= 0) {
        pollfd report{started.exec_report, POLLIN, 0};
        if (poll(&report, 1, -1) > 0 || errno != EINTR) {
            exec_reported(started);
        }
    }
}

StartedCommand start_before_handover(const Credentials* credentials, char* const argv[], int& exit_code) {
    if (getpid() != 1) {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    }
    const StartedCommand started = start_command(credentials, argv, exit_code);
    if (started.pid > 0) {
        fcntl(started.exec_report, F_SETFD, 0);  // for pgentry-init; the command closed its copy
    }
    return started;
}

void abandon_started(const StartedCommand& started) {
    close(started.exec_report);
    kill(-started.pid, SIGKILL);  // the group, once the command has made it
    kill(started.pid, SIGKILL);   // the command itself, should it not have yet
    waitpid(started.pid, nullptr, 0);
}

bool is_own_child(pid_t pid) {
    siginfo_t info{};
    return waitid(P_PID, static_cast<id_t>(pid), &info,
                  WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0;
}

}  // namespace pgentry::supervisor
