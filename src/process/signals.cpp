#include "process/signals.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>

namespace pgentry::process {

bool is_forwarded(int sig) {
    switch (sig) {
    case SIGCHLD:
    case SIGFPE:
    case SIGILL:
    case SIGSEGV:
    case SIGBUS:
    case SIGABRT:
    case SIGTRAP:
    case SIGSYS: return false;
    default: return true;
    }
}

bool is_stop_signal(int sig) {
    return sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;
}

const char* signal_name(int sig, char (&buffer)[16]) {
    if (const char* abbreviation = sigabbrev_np(sig)) {
        std::snprintf(buffer, sizeof buffer, "SIG%s", abbreviation);
    } else if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        std::snprintf(buffer, sizeof buffer, "SIGRTMIN+%d", sig - SIGRTMIN);
    } else {
        std::snprintf(buffer, sizeof buffer, "signal %d", sig);
    }
    return buffer;
}

}  // namespace pgentry::process
