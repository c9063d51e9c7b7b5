#include "launch/handoff.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/error.hpp"
#include "log/log.hpp"
#include "supervisor/exec_command.hpp"
#include "supervisor/log_line.hpp"

namespace pgentry::launch {

namespace {

std::vector<std::string> init_arguments(const config::Options& options,
                                        const std::optional<Identity>& identity) {
    std::vector<std::string> args{"pgentry-init",
                                  "--stop-timeout-ms=" + std::to_string(options.stop_timeout.count()),
                                  "--log-format=" + std::string(config::name_of(options.log_format)),
                                  "--log-level=" + std::string(config::name_of(options.log_level))};
    if (options.signal_group) args.emplace_back("--signal-group");
    if (identity) {
        std::string groups;
        for (gid_t group : identity->groups) {
            if (!groups.empty()) groups += ',';
            groups += std::to_string(group);
        }
        args.push_back("--uid=" + std::to_string(identity->uid));
        args.push_back("--gid=" + std::to_string(identity->gid));
        args.push_back("--groups=" + groups);
        args.push_back("--home=" + identity->home);
    }
    args.emplace_back("--");
    args.insert(args.end(), options.command.begin(), options.command.end());
    return args;
}

std::vector<char*> argv_of(std::vector<std::string>& args) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    return argv;
}

}  // namespace

std::filesystem::path sibling_program(std::string_view name) {
    const auto self = std::filesystem::read_symlink("/proc/self/exe").parent_path();
    for (const auto& candidate : {self / name, self / ".." / "libexec" / "pgentry" / name}) {
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw Error(exit_code::not_found,
                std::string(name) + " not found next to " + self.string() + " or in ../libexec/pgentry");
}

void hand_over(const config::Options& options, const std::optional<Identity>& identity) {
    if (options.launch == config::Launch::exec) {
        std::vector<std::string> command = options.command;
        std::optional<supervisor::Credentials> credentials;
        if (identity)
            credentials = supervisor::Credentials{identity->uid, identity->gid, identity->groups,
                                                  identity->home.c_str()};
        log::debug("exec " + command.front());
        supervisor::configure_log(options.log_format == config::LogFormat::json ? supervisor::LogFormat::json
                                                                                : supervisor::LogFormat::text,
                                  static_cast<supervisor::LogLevel>(options.log_level));
        supervisor::exec_command(credentials ? &*credentials : nullptr, argv_of(command).data());
    }
    const auto init = sibling_program("pgentry-init");
    auto args = init_arguments(options, identity);
    log::debug("handing over to " + init.string() + " to supervise " + options.command.front());
    execv(init.c_str(), argv_of(args).data());
    throw Error(exit_code::not_executable, "cannot run " + init.string() + ": " + std::strerror(errno));
}

}  // namespace pgentry::launch
