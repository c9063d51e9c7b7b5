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

struct Process {
    pid_t pid;
    pid_t parent;
};

int by_pid(const void* a, const void* b) {
    const pid_t left = *static_cast<const pid_t*>(a);
    const pid_t right = *static_cast<const pid_t*>(b);
    return (left > right) - (left < right);
}

// The state and PPid fields of /proc/<pid>/stat; false when it is gone. The fields follow the command name in
// parentheses, which may itself contain spaces and parentheses: parse from the last ')'.
bool read_stat(const char* pid, char& state, pid_t& parent) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%s/stat", pid);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    char stat[512];
    const ssize_t length = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (length <= 0) {
        return false;
    }
    stat[length] = '\0';
    const char* after_name = std::strrchr(stat, ')');
    return after_name != nullptr && std::sscanf(after_name + 1, " %c %d", &state, &parent) == 2;
}

// Every running process /proc shows, sorted by pid.
class ProcessTable {
public:
    ProcessTable() = default;
    ProcessTable(const ProcessTable&) = delete;
    ProcessTable& operator=(const ProcessTable&) = delete;
    ~ProcessTable() { std::free(processes_); }

    // False when /proc is missing or belongs to another pid namespace: its pids are only ours to kill when it
    // is our namespace's.
    bool read() {
        char self_in_proc[16] = {};
        if (readlink("/proc/self", self_in_proc, sizeof self_in_proc - 1) <= 0 ||
            std::atoi(self_in_proc) != getpid()) {
            return false;
        }
        DIR* proc = opendir("/proc");
        if (proc == nullptr) {
            return false;
        }
        while (const dirent* entry = readdir(proc)) {
            char state = 0;
            pid_t parent = 0;
            // A zombie has exited: nothing to signal, and its children are already re-parented.
            if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9' &&
                read_stat(entry->d_name, state, parent) && state != 'Z' && state != 'X') {
                add({std::atoi(entry->d_name), parent});
            }
        }
        closedir(proc);
        if (size_ > 0) {  // qsort and bsearch take no null array, even empty (UBSan)
            std::qsort(processes_, size_, sizeof *processes_, by_pid);  // pid is the first member
        }
        return true;
    }

    // Whether the process descends from ancestor, walking up its parents as /proc showed them.
    bool descends_from(const Process& process, pid_t ancestor) const {
        pid_t parent = process.parent;
        // At most one step per process: a pid reused while /proc was read cannot make the walk loop.
        for (std::size_t step = 0; step <= size_ && parent > 0; ++step) {
            if (parent == ancestor) {
                return true;
            }
            const void* found =
                size_ > 0 ? std::bsearch(&parent, processes_, size_, sizeof *processes_, by_pid) : nullptr;
            if (found == nullptr) {
                return false;
            }
            parent = static_cast<const Process*>(found)->parent;
        }
        return false;
    }

    const Process* begin() const { return processes_; }
    const Process* end() const { return processes_ + size_; }

private:
    void add(Process process) {
        if (size_ == capacity_) {
            const std::size_t capacity = capacity_ == 0 ? 64 : capacity_ * 2;
            void* grown = std::realloc(processes_, capacity * sizeof *processes_);
            if (grown == nullptr) {
                return;  // out of memory: this one is not signalled, the next sweep may have room
            }
            processes_ = static_cast<Process*>(grown);
            capacity_ = capacity;
        }
        processes_[size_++] = process;
    }

    Process* processes_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

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

PidSet::~PidSet() {
    std::free(pids_);
}

bool PidSet::contains(pid_t pid) const {
    return size_ > 0 && std::bsearch(&pid, pids_, size_, sizeof *pids_, by_pid) != nullptr;
}

void PidSet::insert(pid_t pid) {
    if (contains(pid)) {
        return;
    }
    if (size_ == capacity_) {
        const std::size_t capacity = capacity_ == 0 ? 16 : capacity_ * 2;
        void* grown = std::realloc(pids_, capacity * sizeof *pids_);
        if (grown == nullptr) {
            return;
        }
        pids_ = static_cast<pid_t*>(grown);
        capacity_ = capacity;
    }
    std::size_t at = size_;
    while (at > 0 && pids_[at - 1] > pid) {
        pids_[at] = pids_[at - 1];
        --at;
    }
    pids_[at] = pid;
    ++size_;
}

Sweep signal_leftovers(int sig, Reach reach, PidSet& done) {
    Sweep sweep;
    ProcessTable table;
    if (!table.read()) {
        sweep.blind = true;
        return sweep;
    }
    const pid_t self = getpid();
    for (const Process& process : table) {
        const bool in_reach = reach == Reach::children
                                  ? process.parent == self
                                  : process.pid != self && table.descends_from(process, self);
        if (!in_reach) {
            continue;
        }
        if (!done.contains(process.pid)) {
            if (kill(process.pid, sig) != 0) {
                continue;  // gone meanwhile, or not ours to signal (EPERM): nothing to wait for either
            }
            // A stopped process acts on its SIGTERM only once continued: systemd sends SIGCONT after each
            // signal of a unit's stop for that reason (its KillMode); without it a stopped leftover would sit
            // out the grace and get SIGKILL.
            if (sig != SIGKILL) {
                kill(process.pid, SIGCONT);
            }
            done.insert(process.pid);
            ++sweep.signalled;
        }
        ++sweep.alive;
    }
    return sweep;
}

}  // namespace pgentry::supervisor
