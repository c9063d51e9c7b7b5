#pragma once
// pgentry-init's life as PID 1: start the command, forward signals to it, reap every child, and when the
// command exits stop what it left behind and return its exit code.
#include "supervisor/exec_command.hpp"

#include <cstdint>

namespace pgentry::supervisor {

struct SupervisorOptions {
    std::int64_t stop_timeout_ms = 0;  // SIGKILL the command this long after a stop signal; 0: never
    bool signal_group = false;         // forward to the command's process group
    const Credentials* credentials = nullptr;
    char* const* argv = nullptr;  // COMMAND [ARG...], looked up in PATH
};

// Expects every signal blocked. Returns the command's exit code, 128+S when signal S killed it, or 126/127
// when it could not be started.
int supervise(const SupervisorOptions& options);

}  // namespace pgentry::supervisor
