// pgentry-init: the small static PID 1 that pgentry execs for --launch=supervise, with every signal still
// blocked so that none is lost across the exec. Internal contract with pgentry:
//
//   pgentry-init [--stop-timeout-ms=N] [--signal-group] [--uid=N --gid=N [--groups=G1,G2,...] [--home=DIR]]
//                [--log-format=text|json] [--log-level=debug|info|warn|error] -- COMMAND [ARG...]
//
// --uid and --gid come together; --groups (default: none) and --home only with them. Usage errors exit 64.
#include "supervisor/log_line.hpp"
#include "supervisor/supervisor.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>

namespace {

using namespace pgentry::supervisor;

constexpr int usage_exit_code = 64;
constexpr unsigned long long max_id = 0xfffffffeULL;  // 32-bit ids; all ones means "unchanged" to setuid
constexpr unsigned long long max_stop_timeout_ms = 1ULL
                                                   << 40;  // 35 years: now + timeout stays far from overflow

// The text after "name=" when arg is that option, else nullptr.
const char* value_of(const char* arg, const char* name) {
    const std::size_t length = std::strlen(name);
    return std::strncmp(arg, name, length) == 0 && arg[length] == '=' ? arg + length + 1 : nullptr;
}

// The decimal number at text, at most max; end points past it.
bool parse_decimal(const char* text, unsigned long long max, unsigned long long& value, const char*& end) {
    char* after = nullptr;
    errno = 0;
    value = std::strtoull(text, &after, 10);
    end = after;
    return text[0] >= '0' && text[0] <= '9' && errno == 0 && value <= max;
}

bool parse_number(const char* text, unsigned long long max, unsigned long long& value) {
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
bool parse_groups(const char* text, std::span<const gid_t>& groups) {
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

bool parse_log_level(const char* text, LogLevel& level) {
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    for (std::size_t i = 0; i < std::size(names); ++i) {
        if (std::strcmp(text, names[i]) == 0) {
            level = static_cast<LogLevel>(i);
            return true;
        }
    }
    return false;
}

struct Arguments {
    SupervisorOptions supervisor;
    Credentials credentials{};
    bool has_uid = false;
    bool has_gid = false;
    bool has_groups = false;
    LogFormat log_format = LogFormat::text;
    LogLevel log_level = LogLevel::info;
};

struct UsageError {
    const char* problem;
    const char* arg;  // the offending argument, if one
};

// problem is nullptr when argv is well-formed.
UsageError parse(int argc, char** argv, Arguments& args) {
    int i = 1;
    for (; i < argc && std::strcmp(argv[i], "--") != 0; ++i) {
        const char* arg = argv[i];
        const char* value = nullptr;
        unsigned long long number = 0;
        bool ok = true;
        if (std::strcmp(arg, "--signal-group") == 0) {
            args.supervisor.signal_group = true;
        } else if ((value = value_of(arg, "--stop-timeout-ms"))) {
            ok = parse_number(value, max_stop_timeout_ms, number);
            args.supervisor.stop_timeout_ms = static_cast<std::int64_t>(number);
        } else if ((value = value_of(arg, "--uid"))) {
            ok = args.has_uid = parse_id(value, args.credentials.uid);
        } else if ((value = value_of(arg, "--gid"))) {
            ok = args.has_gid = parse_id(value, args.credentials.gid);
        } else if ((value = value_of(arg, "--groups"))) {
            ok = args.has_groups = parse_groups(value, args.credentials.groups);
        } else if ((value = value_of(arg, "--home"))) {
            args.credentials.home = value;
        } else if ((value = value_of(arg, "--log-format"))) {
            ok = std::strcmp(value, "text") == 0 || std::strcmp(value, "json") == 0;
            args.log_format = value[0] == 'j' ? LogFormat::json : LogFormat::text;
        } else if ((value = value_of(arg, "--log-level"))) {
            ok = parse_log_level(value, args.log_level);
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
    const bool needs_ids = args.has_groups || args.credentials.home != nullptr;
    if (args.has_uid != args.has_gid || (needs_ids && !args.has_uid)) {
        return {"--uid and --gid go together, and --groups and --home need them", nullptr};
    }
    args.supervisor.argv = argv + i + 1;
    args.supervisor.credentials = args.has_uid ? &args.credentials : nullptr;
    return {nullptr, nullptr};
}

}  // namespace

int main(int argc, char** argv) {
    // First, so that whatever arrives from here on waits in the pending set for the loop to forward it.
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    static Arguments args;  // static: the --groups array it points to stays reachable for the process's life
    const UsageError error = parse(argc, argv, args);
    configure_log(args.log_format, args.log_level);
    if (error.problem != nullptr) {
        if (error.arg != nullptr) {
            log_line(LogLevel::error, "pgentry-init: %s '%s'", error.problem, error.arg);
        } else {
            log_line(LogLevel::error, "pgentry-init: %s", error.problem);
        }
        return usage_exit_code;
    }
    return supervise(args.supervisor);
}
