#pragma once
// The contract between pgentry (or pgentry-migrator) and pgentry-init, the PID 1 it execs: one type, and its
// encoder and decoder side by side (init_arguments.cpp), so that they cannot drift apart. On the command
// line:
//
//   pgentry-init [--stop-timeout-ms=N] [--signal-group] [--uid=N --gid=N [--groups=G1,G2,...] [--home=DIR]]
//                [--log-format=text|json] [--log-level=debug|info|warn|error] -- COMMAND [ARG...]
//
// --uid and --gid come together; --groups (default: none) and --home only with them. Libc only, no
// exceptions: pgentry-init decodes it.
#include <cstdint>
#include <optional>
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
    std::vector<std::string> command;  // COMMAND [ARG...], looked up in PATH; not empty
};

// pgentry-init's arguments after argv[0].
std::vector<std::string> encode(const InitArguments& arguments);

// Why an argv is refused: problem is nullptr when it is well-formed; arg is the offending argument, if one.
struct DecodeError {
    const char* problem = nullptr;
    const char* arg = nullptr;
};

// argv as main receives it (argv[0] is skipped). On an error, arguments is partly filled.
DecodeError decode(int argc, const char* const* argv, InitArguments& arguments);

}  // namespace pgentry::process
