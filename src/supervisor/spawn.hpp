#pragma once
// Starting the command as pgentry-init's child.
#include "process/exec_command.hpp"

namespace pgentry::supervisor {

// Forks the command in its own process group, in the terminal's foreground when pgentry-init holds it, and
// waits until it has exec'd. Returns its pid; or -1 after reporting the failure, with exit_code set to 126 or
// 127. Signals stay blocked here throughout: those arriving before the exec wait in pgentry-init's pending
// set (fork does not copy it to the child) and are forwarded once the command runs.
pid_t spawn_command(const process::Credentials* credentials, char* const argv[], int& exit_code);

// For the program about to exec pgentry-init (launch/handoff.hpp): spawn_command now, so that the command's
// start runs alongside pgentry-init's instead of after it (one exec less on the way to the command: the
// launch-only start costs what tini's does, bench/cases/06). Makes this process a child subreaper first when
// it is not PID 1; the flag survives the exec, so the command's orphans are pgentry-init's even before it
// runs. Pass the pid as process::InitArguments::command_pid.
pid_t spawn_before_handover(const process::Credentials* credentials, char* const argv[], int& exit_code);

// When the exec of pgentry-init failed after spawn_before_handover: SIGKILLs the command's process group and
// reaps the command, so that nothing runs unsupervised.
void abandon_spawned(pid_t pid);

// Whether pid is a child of this process that has not been reaped: what pgentry-init checks of --command-pid.
bool is_own_child(pid_t pid);

}  // namespace pgentry::supervisor
