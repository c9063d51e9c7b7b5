#include "launch/handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

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

std::string sibling_program(std::string_view name) {
    // readlink, not std::filesystem::read_symlink (an lstat first): in a fresh container /proc's entries are
    // not cached yet, and each lookup on the way to the command counts (bench/cases/06).
    char self[PATH_MAX];
    const ssize_t length = readlink("/proc/self/exe", self, sizeof self);
    if (length <= 0 || static_cast<std::size_t>(length) == sizeof self) {
        const std::string reason = length < 0 ? std::strerror(errno) : "path too long";
        throw Error(exit_code::not_found, "cannot find " + std::string(name) + ": /proc/self/exe: " + reason);
    }
    const std::string_view exe(self, static_cast<std::size_t>(length));
    const std::string directory(exe.substr(0, exe.rfind('/') + 1));
    // An install has bin/pgentry and libexec/pgentry/NAME (docs/deployment.md): looked at first, so that an
    // image pays one access(). A helper is in libexec/pgentry already, and a build tree has every program in
    // one directory: next to the running program.
    const std::string helpers = directory + "../libexec/pgentry";
    const bool is_helper = directory.ends_with("/libexec/pgentry/");
    if (!is_helper) {
        if (std::string installed = helpers + "/" + std::string(name); access(installed.c_str(), X_OK) == 0) {
            return installed;
        }
    }
    if (std::string beside = directory + std::string(name); access(beside.c_str(), X_OK) == 0) {
        return beside;
    }
    throw Error(exit_code::not_found, std::string(name) + " not found " +
                                          (is_helper ? "" : "in " + helpers + " or ") + "next to " +
                                          std::string(exe));
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
    log::debug("handing over to " + init + " to supervise " + command.front() + " (pid " +
               std::to_string(started.pid) + ")");
    execv(init.c_str(), argv_of(args).data());
    const int error = errno;
    supervisor::abandon_started(started);
    throw Error(exit_code::not_executable, "cannot run " + init + ": " + std::strerror(error));
}

}  // namespace pgentry::launch
