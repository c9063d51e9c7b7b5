#pragma once
// Starting the command with a clean slate: used by pgentry for --launch=exec (it replaces itself) and by
// pgentry-init's child, so the hygiene exists once. Plain POSIX and no exceptions: compiled into every
// program (with log_line.cpp, which reports the failures; pgentry calls configure_log first).
#include "process/credentials.hpp"

namespace pgentry::process {

// Why the command did not start: the step that failed and its errno.
struct ExecFailure {
    enum Step : int { setid_binary, setgroups, setgid, setuid, pipe, fork, exec } step;
    int error;
};

// Resets the process and execvp's argv: default disposition for every signal, the credentials (setgroups,
// setgid, setuid, in that order, then HOME), close-on-exec on every descriptor >= 3, an empty signal mask.
// Returns only on failure.
ExecFailure reset_and_exec(const Credentials* credentials, char* const argv[]);

// 127 when the command is not found, 126 when it cannot be run (the shell's convention, which tini follows).
int exit_code_for(const ExecFailure& failure);

// Logs "pgentry: cannot run '<command>': <reason>" at error level.
void report_exec_failure(const char* command, const ExecFailure& failure);

// --launch=exec: reset_and_exec, and on failure report it and exit with exit_code_for.
[[noreturn]] void exec_command(const Credentials* credentials, char* const argv[]);

}  // namespace pgentry::process
