// pgentry-init: the small static PID 1 that pgentry execs for --launch=supervise, with every signal still
// blocked so that none is lost across the exec. Its arguments are process::InitArguments
// (src/process/init_arguments.hpp, which pgentry encodes). Usage errors exit 64.
#include <fcntl.h>

#include <csignal>

#include "process/init_arguments.hpp"
#include "process/log_line.hpp"
#include "supervisor/spawn.hpp"
#include "supervisor/supervisor.hpp"

namespace {

using namespace pgentry;

constexpr int usage_exit_code = 64;

}  // namespace

int main(int argc, char** argv) {
    // First, so that whatever arrives from here on waits in the pending set for the loop to forward it.
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    static process::InitArguments arguments;  // static: the groups array it points to stays reachable
    const process::DecodeError error = process::decode(argc, argv, arguments);
    process::configure_log(arguments.log_format, arguments.log_level);
    if (error.problem != nullptr) {
        if (error.arg != nullptr) {
            process::log_line(process::LogLevel::error, "pgentry-init: %s '%s'", error.problem, error.arg);
        } else {
            process::log_line(process::LogLevel::error, "pgentry-init: %s", error.problem);
        }
        return usage_exit_code;
    }
    if (arguments.command_pid > 0 && (!supervisor::is_own_child(arguments.command_pid) ||
                                      fcntl(arguments.exec_report_fd, F_GETFD) == -1)) {
        process::log_line(
            process::LogLevel::error,
            "pgentry-init: --command-pid=%d is not a child of pgentry-init with its exec report on "
            "descriptor %d",
            static_cast<int>(arguments.command_pid), arguments.exec_report_fd);
        return usage_exit_code;
    }
    return supervisor::supervise(arguments);
}
