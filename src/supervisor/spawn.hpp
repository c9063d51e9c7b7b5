#pragma once
// Starting the command as pgentry-init's child.
#include "process/exec_command.hpp"

namespace pgentry::supervisor {

// Forks the command in its own process group, in the terminal's foreground when pgentry-init holds it, and
// waits until it has exec'd. Returns its pid; or -1 after reporting the failure, with exit_code set to 126 or
// 127. Signals stay blocked here throughout: those arriving before the exec wait in pgentry-init's pending
// set (fork does not copy it to the child) and are forwarded once the command runs.
pid_t spawn_command(const process::Credentials* credentials, char* const argv[], int& exit_code);

}  // namespace pgentry::supervisor
