#pragma once
// Collecting exited children and finding the ones still running.
#include <sys/types.h>

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

// Sends sig to every process whose parent is pgentry-init: the orphans re-parented to it. Returns how many
// were signalled; 0 also when /proc is missing or belongs to another pid namespace.
int signal_children(int sig);

}  // namespace pgentry::supervisor
