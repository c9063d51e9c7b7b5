#include "process/init_arguments.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace pgentry::process {
namespace {

constexpr unsigned long long max_id = 0xfffffffeULL;  // 32-bit ids; all ones means "unchanged" to setuid
// 35 years: now + timeout stays far from overflow.
constexpr unsigned long long max_stop_timeout_ms = 1ULL << 40;

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

// "1,2,3"; "" is no groups.
bool parse_groups(const char* text, std::vector<gid_t>& groups) {
    groups.clear();
    while (*text != '\0') {
        unsigned long long value = 0;
        const char* end = nullptr;
        if (!parse_decimal(text, max_id, value, end) || (*end != ',' && *end != '\0')) {
            return false;
        }
        groups.push_back(static_cast<gid_t>(value));
        text = *end == ',' ? end + 1 : end;
    }
    return true;
}

}  // namespace

std::vector<std::string> encode(const InitArguments& arguments) {
    std::vector<std::string> args{"--stop-timeout-ms=" + std::to_string(arguments.stop_timeout_ms),
                                  "--log-format=" + std::string(name_of(arguments.log_format)),
                                  "--log-level=" + std::string(name_of(arguments.log_level))};
    if (arguments.signal_group) args.emplace_back("--signal-group");
    if (const auto& credentials = arguments.credentials) {
        std::string groups;
        for (gid_t group : credentials->groups) {
            if (!groups.empty()) groups += ',';
            groups += std::to_string(group);
        }
        args.push_back("--uid=" + std::to_string(credentials->uid));
        args.push_back("--gid=" + std::to_string(credentials->gid));
        args.push_back("--groups=" + groups);
        if (credentials->home) args.push_back("--home=" + *credentials->home);
    }
    args.emplace_back("--");
    args.insert(args.end(), arguments.command.begin(), arguments.command.end());
    return args;
}

DecodeError decode(int argc, const char* const* argv, InitArguments& arguments) {
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
        } else if ((value = value_of(arg, "--stop-timeout-ms"))) {
            ok = parse_number(value, max_stop_timeout_ms, number);
            arguments.stop_timeout_ms = static_cast<std::int64_t>(number);
        } else if ((value = value_of(arg, "--uid"))) {
            ok = has_uid = parse_id(value, credentials.uid);
        } else if ((value = value_of(arg, "--gid"))) {
            ok = has_gid = parse_id(value, credentials.gid);
        } else if ((value = value_of(arg, "--groups"))) {
            ok = has_groups = parse_groups(value, credentials.groups);
        } else if ((value = value_of(arg, "--home"))) {
            credentials.home = value;
        } else if ((value = value_of(arg, "--log-format"))) {
            ok = parse_name(value, log_formats, arguments.log_format);
        } else if ((value = value_of(arg, "--log-level"))) {
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
    const bool needs_ids = has_groups || credentials.home;
    if (has_uid != has_gid || (needs_ids && !has_uid)) {
        return {"--uid and --gid go together, and --groups and --home need them", nullptr};
    }
    arguments.command.assign(argv + i + 1, argv + argc);
    if (has_uid) arguments.credentials = std::move(credentials);
    return {};
}

}  // namespace pgentry::process
