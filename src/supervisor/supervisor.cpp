#include "supervisor/supervisor.hpp"

#include "supervisor/run_to_completion.hpp"

namespace pgentry::supervisor {

int supervise(const SupervisorOptions& options) {
    const ChildExit exit = run_to_completion({options.argv, options.credentials, "command"},
                                             {options.stop_timeout_ms, options.signal_group});
    return exit.exit_code();
}

}  // namespace pgentry::supervisor
