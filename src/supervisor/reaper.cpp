#include "supervisor/reaper.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pgentry::supervisor {
namespace {

// The PPid field of /proc/<pid>/stat, or -1. The field follows the command name in parentheses, which may
// itself contain spaces and parentheses: parse from the last ')'.
pid_t parent_of(const char* pid) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    char stat[512];
    const ssize_t length = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (length <= 0) {
        return -1;
    }
    stat[length] = '\0';
    const char* after_name = std::strrchr(stat, ')');
    int parent = -1;
    if (after_name == nullptr || std::sscanf(after_name + 1, " %*c %d", &parent) != 1) {
        return -1;
    }
    return parent;
}

}  // namespace

bool reap_children(Command& command) {
    // Several exits can share one SIGCHLD: collect until waitpid has nothing more, looking at every pid it
    // returns (openSUSE/catatonit#4 hung looking only at the pid that came with the signal). WUNTRACED: the
    // supervisor decides what a job-control stop of the command means (run_to_completion.cpp); other
    // children's stops are reported once each and ignored.
    for (;;) {
        int status = 0;
        const pid_t pid = waitpid(-1, &status, WNOHANG | WUNTRACED);
        if (pid <= 0) {
            return pid == 0;  // 0: children remain, none exited; -1 with ECHILD: no children at all
        }
        if (pid != command.pid) {
            continue;
        }
        if (WIFSTOPPED(status)) {
            command.stopped_by = WSTOPSIG(status);
        } else {
            command.exited = true;
            command.status = status;
        }
    }
}

int signal_children(int sig) {
    // Pids read from /proc are only ours to kill when /proc belongs to our pid namespace.
    const pid_t self = getpid();
    char self_in_proc[16] = {};
    if (readlink("/proc/self", self_in_proc, sizeof self_in_proc - 1) <= 0 ||
        std::atoi(self_in_proc) != self) {
        return 0;
    }
    DIR* proc = opendir("/proc");
    if (proc == nullptr) {
        return 0;
    }
    int signalled = 0;
    while (const dirent* entry = readdir(proc)) {
        if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9' && parent_of(entry->d_name) == self &&
            kill(std::atoi(entry->d_name), sig) == 0) {
            ++signalled;
        }
    }
    closedir(proc);
    return signalled;
}

}  // namespace pgentry::supervisor
