#include "launch/handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.hpp"
#include "log/log.hpp"
#include "process/exec_command.hpp"
#include "process/init_arguments.hpp"
#include "process/log_line.hpp"

namespace pgentry::launch {

std::filesystem::path sibling_program(std::string_view name) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();
    for (const auto& candidate : {self / name, self / ".." / "libexec" / "pgentry" / name}) {
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw Error(exit_code::not_found,
                std::string(name) + " not found next to " + self.string() + " or in ../libexec/pgentry");
}

void hand_over(const config::Options& options, std::optional<process::Credentials> credentials) {
    if (options.launch == config::Launch::exec) {
        std::vector<std::string> command = options.command;
        log::debug("exec " + command.front());
        process::configure_log(options.log_format, options.log_level);
        process::exec_command(credentials ? &*credentials : nullptr, process::argv_of(command).data());
    }
    const auto init = sibling_program("pgentry-init");
    const process::InitArguments arguments{.stop_timeout_ms = options.stop_timeout.count(),
                                           .signal_group = options.signal_group,
                                           .credentials = std::move(credentials),
                                           .log_format = options.log_format,
                                           .log_level = options.log_level,
                                           .command = options.command};
    std::vector<std::string> args = process::encode(arguments);
    args.insert(args.begin(), "pgentry-init");
    log::debug("handing over to " + init.string() + " to supervise " + options.command.front());
    execv(init.c_str(), process::argv_of(args).data());
    throw Error(exit_code::not_executable, "cannot run " + init.string() + ": " + std::strerror(errno));
}

}  // namespace pgentry::launch
