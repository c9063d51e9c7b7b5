#pragma once
// Starting the command as a child: forked, then exec'd, with the exec's outcome reported back on a pipe.
#include <optional>

#include "process/exec_command.hpp"

namespace pgentry::supervisor {

// A command forked and on its way to exec.
struct StartedCommand {
    pid_t pid = -1;  // -1: not started (pipe or fork failed, already reported)
    // The read end of a pipe: EOF once the command has exec'd, else its process::ExecFailure. -1 once read.
    int exec_report = -1;
    std::optional<process::ExecFailure> failure;  // what the report said, once read
};

// Forks the command in its own process group, in the terminal's foreground when this process's group holds
// it. Does not wait for the exec (await_exec does). Signals stay blocked here throughout: those
// arriving before the exec wait in this process's pending set (fork does not copy it to the child) and are
// forwarded once the command runs. On failure: pid -1, exit_code 126.
StartedCommand start_command(const process::Credentials* credentials, char* const argv[], int& exit_code);

// Whether the started command's exec has an outcome yet: reads the report if it is there, without waiting
// (failure is then set when the exec failed; the command exits with exit_code_for it). True once read.
bool exec_reported(StartedCommand& started);

// exec_reported, waiting for the report as long as it takes (an exec takes about a millisecond; once the
// command has exited, no time at all).
void await_exec(StartedCommand& started);

// For the program about to exec pgentry-init (launch/handoff.hpp): start_command now, with the report's
// descriptor kept across exec, so that the command's start runs alongside pgentry-init's instead of after it
// (one exec less on the way to the command: bench/cases/06). Makes this process a child subreaper first when
// it is not PID 1; the flag survives the exec, so the command's orphans are pgentry-init's even before it
// runs. Pass the result as process::InitArguments::command_pid and exec_report_fd.
StartedCommand start_before_handover(const process::Credentials* credentials, char* const argv[],
                                     int& exit_code);

// When the exec of pgentry-init failed after start_before_handover: SIGKILLs the command's process group and
// reaps the command, so that nothing runs unsupervised.
void abandon_started(const StartedCommand& started);

// Whether pid is a child of this process that has not been reaped: what pgentry-init checks of --command-pid.
bool is_own_child(pid_t pid);

}  // namespace pgentry::supervisor
