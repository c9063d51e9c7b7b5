#pragma once
// One child from its start to its end under pgentry's PID-1 discipline, for every child pgentry runs: the
// application server (pgentry-init's supervise) and another tool's migrator (--migrate-command, SPEC.md
// "Other migration tools"). Plain POSIX and no exceptions: compiled into pgentry-init too.
#include <cstdint>

#include "process/credentials.hpp"
#include "supervisor/spawn.hpp"

namespace pgentry::supervisor {

struct ChildSpec {
    char* const* argv = nullptr;                        // COMMAND [ARG...], looked up in PATH
    const process::Credentials* credentials = nullptr;  // nullptr: as pgentry's own user
    const char* role = "command";                       // names the child in log lines
    StartedCommand started{};  // pid > 0: already forked (start_before_handover); -1: start it here
};

struct StopPolicy {
    // SIGKILL the child this long after a forwarded SIGTERM, SIGINT or SIGQUIT; 0: never. Also the grace its
    // leftover processes get after it ended (5 s when 0).
    std::int64_t stop_timeout_ms = 0;
    bool signal_group = false;  // forward to the child's process group, not only to its pid
};

struct ChildExit {
    enum class How { exited, killed, not_started };
    How how = How::not_started;
    int value = 0;        // exited: its status; killed: the signal; not_started: 126 or 127 (already logged)
    int stop_signal = 0;  // the first SIGTERM, SIGINT, SIGQUIT or SIGHUP forwarded while it ran; 0: none

    // The shell's convention: the status, 128+S when signal S killed it, 126/127 when it did not start.
    int exit_code() const { return how == How::killed ? 128 + value : value; }
};

// Expects every signal blocked (signals then wait in the pending set, none is lost). Spawns the child in its
// own process group (in the terminal's foreground when pgentry holds it, given back afterwards), forwards
// every signal but SIGCHLD and the synchronous ones (signals.hpp), SIGTERM, SIGINT, SIGQUIT and SIGHUP
// followed by SIGCONT, continues the child when a job-control stop would otherwise leave it stopped (or stops
// pgentry too, under a shell's job control), reaps every child of pgentry meanwhile (orphans included: when
// not PID 1, pgentry is a child subreaper until this returns), and once the child has exited gives every
// process it left running SIGTERM and SIGCONT, then SIGKILL after the grace. Returns how the child ended.
// A child already started (ChildSpec::started) has taken the terminal itself, and keeps it when it ends: only
// pgentry-init, which runs no second child, supervises one that way.
ChildExit run_to_completion(const ChildSpec& child, const StopPolicy& policy);

}  // namespace pgentry::supervisor
