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
#include "supervisor/spawn.hpp"

namespace pgentry::launch {

namespace {

std::vector<char*> argv_of(std::vector<std::string>& words) {
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (auto& word : words) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);
    return argv;
}

}  // namespace

std::filesystem::path sibling_program(std::string_view name) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();
    for (const auto& candidate : {self / name, self / ".." / "libexec" / "pgentry" / name}) {
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    throw Error(exit_code::not_found,
                std::string(name) + " not found next to " + self.string() + " or in ../libexec/pgentry");
}

void hand_over(const config::Options& options, const std::optional<Identity>& identity) {
    std::vector<std::string> command = options.command;
    const std::vector<char*> command_argv = argv_of(command);
    std::optional<process::Credentials> credentials;
    if (identity) {
        credentials = identity->credentials();
    }
    process::configure_log(options.log_format, options.log_level);  // a failed start is reported by log_line
    if (options.launch == config::Launch::exec) {
        log::debug("exec " + command.front());
        process::exec_command(credentials ? &*credentials : nullptr, command_argv.data());
    }
    const auto init = sibling_program("pgentry-init");
    // The command starts first and pgentry-init adopts it: the command's exec and pgentry-init's run side by
    // side, and pgentry-init reads how the command's exec went.
    int not_started = 0;
    const supervisor::StartedCommand started = supervisor::start_before_handover(
        credentials ? &*credentials : nullptr, command_argv.data(), not_started);
    if (started.pid < 0) {
        _exit(not_started);  // 126, already reported, as --launch=exec does
    }
    std::vector<std::string> args = process::encode({.stop_timeout_ms = options.stop_timeout.count(),
                                                     .signal_group = options.signal_group,
                                                     .credentials = std::nullopt,  // the command has its own
                                                     .log_format = options.log_format,
                                                     .log_level = options.log_level,
                                                     .command = command_argv.data(),
                                                     .command_pid = started.pid,
                                                     .exec_report_fd = started.exec_report});
    args.insert(args.begin(), "pgentry-init");
    log::debug("handing over to " + init.string() + " to supervise " + command.front() + " (pid " +
               std::to_string(started.pid) + ")");
    execv(init.c_str(), argv_of(args).data());
    const int error = errno;
    supervisor::abandon_started(started);
    throw Error(exit_code::not_executable, "cannot run " + init.string() + ": " + std::strerror(error));
}

}  // namespace pgentry::launch
