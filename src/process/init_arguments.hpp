#pragma once
// The contract between pgentry (or pgentry-migrator) and pgentry-init, the PID 1 it execs: one type, and its
// encoder and decoder side by side in this file, so that they cannot drift apart. On the command line:
//
//   pgentry-init [--stop-timeout-ms=N] [--signal-group] [--uid=N --gid=N [--groups=G1,G2,...] [--home=DIR]]
//                [--command-pid=PID --exec-report-fd=FD] [--log-format=text|json]
//                [--log-level=debug|info|warn|error] -- COMMAND [ARG...]
//
// --uid and --gid come together; --groups (default: none) and --home only with them. --command-pid says
// that COMMAND was already forked as that child (supervisor/spawn.hpp, start_before_handover), whose exec
// reports on FD; they come together, and exclude the ids, which that child has already taken. The decoder is
// libc only and allocates nothing but the groups: pgentry-init, the PID 1, runs it. Both are inline, so that
// the encoder (std::string, and with it libstdc++'s exception machinery and its 64 kB emergency pool) is
// compiled only into the programs that call it: pgentry-init's VmRSS stays below tini's.
#include <sys/types.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "process/credentials.hpp"
#include "process/log_format.hpp"

namespace pgentry::process {

struct InitArguments {
    std::int64_t stop_timeout_ms = 0;  // SIGKILL the command this long after a stop signal; 0: never
    bool signal_group = false;         // forward to the command's process group
    std::optional<Credentials> credentials;
    LogFormat log_format = LogFormat::text;
    LogLevel log_level = LogLevel::info;
    char* const* command = nullptr;  // COMMAND [ARG...] then nullptr, looked up in PATH; not empty
    pid_t command_pid = 0;    // > 0: COMMAND was already forked as this child; 0: pgentry-init starts it
    int exec_report_fd = -1;  // with command_pid: the read end of that child's exec report
};

namespace detail {

// 32-bit ids; all ones means "unchanged" to setuid.
inline constexpr unsigned long long max_id = 0xfffffffeULL;
// 35 years: now + timeout stays far from overflow.
inline constexpr unsigned long long max_stop_timeout_ms = 1ULL << 40;
// pid_t is 32-bit; the kernel's pid_max is at most 2^22.
inline constexpr unsigned long long max_pid = 0x7fffffffULL;

// The text after "name=" when arg is that option, else nullptr.
inline const char* value_of(const char* arg, const char* name) {
    const std::size_t length = std::strlen(name);
    return std::strncmp(arg, name, length) == 0 && arg[length] == '=' ? arg + length + 1 : nullptr;
}

// The decimal number at text, at most max; end points past it. from_chars rather than strtoull, whose
// locale-aware code is libc pages that only this path would fault in: pgentry-init started by pgentry had
// 136 kB more VmRSS than started by hand (bench/cases/05).
inline bool parse_decimal(const char* text, unsigned long long max, unsigned long long& value,
                          const char*& end) {
    value = 0;
    const auto [after, error] = std::from_chars(text, text + std::strlen(text), value);
    end = after;
    return error == std::errc{} && value <= max;
}

inline bool parse_number(const char* text, unsigned long long max, unsigned long long& value) {
    const char* end = nullptr;
    return parse_decimal(text, max, value, end) && *end == '\0';
}

template <typename Id>
bool parse_id(const char* text, Id& id) {
    unsigned long long value = 0;
    const bool ok = parse_number(text, max_id, value);
    id = static_cast<Id>(value);
    return ok;
}

// "1,2,3" into an array that lives as long as the process; "" is no groups.
inline bool parse_groups(const char* text, std::span<const gid_t>& groups) {
    groups = {};
    if (*text == '\0') {
        return true;
    }
    const std::size_t capacity =
        1 + static_cast<std::size_t>(std::count(text, text + std::strlen(text), ','));
    auto* ids = static_cast<gid_t*>(std::malloc(capacity * sizeof(gid_t)));
    if (ids == nullptr) {
        return false;
    }
    std::size_t count = 0;
    for (;;) {
        unsigned long long value = 0;
        const char* end = nullptr;
        if (!parse_decimal(text, max_id, value, end) || (*end != ',' && *end != '\0')) {
            std::free(ids);
            return false;
        }
        ids[count++] = static_cast<gid_t>(value);
        if (*end == '\0') {
            break;
        }
        text = end + 1;
    }
    groups = {ids, count};
    return true;
}

}  // namespace detail

// pgentry-init's arguments after argv[0].
inline std::vector<std::string> encode(const InitArguments& arguments) {
    std::vector<std::string> args{"--stop-timeout-ms=" + std::to_string(arguments.stop_timeout_ms),
                                  "--log-format=" + std::string(name_of(arguments.log_format)),
                                  "--log-level=" + std::string(name_of(arguments.log_level))};
    if (arguments.signal_group) {
        args.emplace_back("--signal-group");
    }
    if (arguments.command_pid > 0) {
        args.push_back("--command-pid=" + std::to_string(arguments.command_pid));
        args.push_back("--exec-report-fd=" + std::to_string(arguments.exec_report_fd));
    }
    if (const auto& credentials = arguments.credentials) {
        std::string groups;
        for (gid_t group : credentials->groups) {
            if (!groups.empty()) {
                groups += ',';
            }
            groups += std::to_string(group);
        }
        args.push_back("--uid=" + std::to_string(credentials->uid));
        args.push_back("--gid=" + std::to_string(credentials->gid));
        args.push_back("--groups=" + groups);
        if (credentials->home != nullptr) {
            args.push_back(std::string("--home=") + credentials->home);
        }
    }
    args.emplace_back("--");
    for (char* const* word = arguments.command; word != nullptr && *word != nullptr; ++word) {
        args.emplace_back(*word);
    }
    return args;
}

// Why an argv is refused: problem is nullptr when it is well-formed; arg is the offending argument, if one.
struct DecodeError {
    const char* problem = nullptr;
    const char* arg = nullptr;
};

// argv as main receives it (argv[0] is skipped), with argv[argc] nullptr; arguments points into it, and to
// groups malloc'd for the life of the process. On an error, arguments is partly filled.
inline DecodeError decode(int argc, char* const* argv, InitArguments& arguments) {
    Credentials credentials;
    bool has_uid = false;
    bool has_gid = false;
    bool has_groups = false;
    int i = 1;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
        const char* arg = argv[i];
        const char* value = nullptr;
        unsigned long long number = 0;
        bool ok = true;
        if (std::strcmp(arg, "--signal-group") == 0) {
            arguments.signal_group = true;
        } else if ((value = detail::value_of(arg, "--stop-timeout-ms"))) {
            ok = detail::parse_number(value, detail::max_stop_timeout_ms, number);
            arguments.stop_timeout_ms = static_cast<std::int64_t>(number);
        } else if ((value = detail::value_of(arg, "--command-pid"))) {
            ok = detail::parse_number(value, detail::max_pid, number) && number > 0;
            arguments.command_pid = static_cast<pid_t>(number);
        } else if ((value = detail::value_of(arg, "--exec-report-fd"))) {
            ok = detail::parse_number(value, detail::max_pid, number);
            arguments.exec_report_fd = static_cast<int>(number);
        } else if ((value = detail::value_of(arg, "--uid"))) {
            ok = has_uid = detail::parse_id(value, credentials.uid);
        } else if ((value = detail::value_of(arg, "--gid"))) {
            ok = has_gid = detail::parse_id(value, credentials.gid);
        } else if ((value = detail::value_of(arg, "--groups"))) {
            ok = has_groups = detail::parse_groups(value, credentials.groups);
        } else if ((value = detail::value_of(arg, "--home"))) {
            credentials.home = value;
        } else if ((value = detail::value_of(arg, "--log-format"))) {
            ok = parse_name(value, log_formats, arguments.log_format);
        } else if ((value = detail::value_of(arg, "--log-level"))) {
            ok = parse_name(value, log_levels, arguments.log_level);
        } else {
            return {"unknown option", arg};
        }
        if (!ok) {
            return {"bad value", arg};
        }
    }
    if (i + 1 >= argc) {
        return {"no command after", "--"};
    }
    const bool needs_ids = has_groups || credentials.home != nullptr;
    if (has_uid != has_gid || (needs_ids && !has_uid)) {
        return {"--uid and --gid go together, and --groups and --home need them", nullptr};
    }
    if ((arguments.command_pid > 0) != (arguments.exec_report_fd >= 0)) {
        return {"--command-pid and --exec-report-fd go together", nullptr};
    }
    if (has_uid && arguments.command_pid > 0) {
        return {"--command-pid runs no command, so --uid and --gid cannot apply", nullptr};
    }
    arguments.command = argv + i + 1;
    if (has_uid) {
        arguments.credentials = credentials;
    }
    return {};
}

}  // namespace pgentry::process
