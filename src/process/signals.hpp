#pragma once
// Which signals pgentry-init passes on to the command, and which of them stop it (SPEC.md, "PID 1 duties").
namespace pgentry::process {

// Every signal but SIGCHLD and the synchronous ones (FPE, ILL, SEGV, BUS, ABRT, TRAP, SYS), real-time
// included.
bool is_forwarded(int sig);

// TERM, INT and QUIT: the signals after which --stop-timeout runs. HUP is not one: nginx, Apache and most
// daemons reload on it and keep running (SPEC.md, --stop-timeout).
bool is_stop_signal(int sig);

// "SIGTERM", "SIGRTMIN+3": for log lines.
const char* signal_name(int sig, char (&buffer)[16]);

}  // namespace pgentry::process
