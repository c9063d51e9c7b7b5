#pragma once
// Collecting exited children, and finding and signalling the processes the command left behind.
#include <sys/types.h>

#include <cstddef>

namespace pgentry::supervisor {

struct Command {
    pid_t pid;
    bool exited = false;
    int status = 0;      // waitpid status, once exited
    int stopped_by = 0;  // the signal of a stop waitpid reported and the caller has not handled yet; 0: none
};

// Reaps every child that has exited, the command's orphans included, and records the command's status when
// its pid comes by, and the signal that stopped it when it stops. Returns whether children remain (running or
// stopped).
bool reap_children(Command& command);

// A set of pids, sorted. malloc'd: pgentry-init links no more of libstdc++ than its headers.
class PidSet {
public:
    PidSet() = default;
    PidSet(const PidSet&) = delete;
    PidSet& operator=(const PidSet&) = delete;
    ~PidSet();

    bool contains(pid_t pid) const;
    // Out of memory, the pid is left out: it may then be signalled twice.
    void insert(pid_t pid);
    std::size_t size() const { return size_; }

private:
    pid_t* pids_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

// Which processes a sweep looks at: this process's children (orphans re-parented to it), or every process
// descended from it (the orphans' own children too).
enum class Reach { children, descendants };

struct Sweep {
    int signalled = 0;   // processes this sweep signalled (not in done before)
    int alive = 0;       // processes in reach still running that are in done now, signalled earlier included
    bool blind = false;  // /proc is missing or belongs to another pid namespace: nothing was signalled
};

// Sends sig to every running process in reach that is not in done (a zombie is not running), and then, unless
// sig is SIGKILL, SIGCONT; adds each one signalled to done.
Sweep signal_leftovers(int sig, Reach reach, PidSet& done);

}  // namespace pgentry::supervisor
