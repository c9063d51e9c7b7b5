#include "supervisor/supervisor.hpp"

#include "supervisor/run_to_completion.hpp"

namespace pgentry::supervisor {

int supervise(const process::InitArguments& arguments) {
    const ChildExit exit =
        run_to_completion({arguments.command,
                           arguments.credentials ? &*arguments.credentials : nullptr,
                           "command",
                           {arguments.command_pid, arguments.exec_report_fd, std::nullopt}},
                          {arguments.stop_timeout_ms, arguments.signal_group});
    return exit.exit_code();
}

}  // namespace pgentry::supervisor
