#include <system_error>

#include "common/file.hpp"
#include "config/option_sources.hpp"
#include "conninfo/redact.hpp"

namespace pgentry::config::detail {
namespace {

struct Candidate {
    std::optional<Setting> setting;
    bool is_file;
};

// DATABASE_URL is not pgentry's: compose turns "DATABASE_URL: ${DATABASE_URL}" of an unset variable
// into an empty one, which means "not set" rather than a bad value (and so does one of blanks only).
std::optional<Setting> foreign(const Environment& env, const std::string& variable) {
    const auto found = env.find(variable);
    if (found == env.end() || conninfo::trim(found->second).empty()) {
        return std::nullopt;
    }
    return Setting{found->second, variable};
}

// The content is never part of a message: it is the secret.
std::string read_url_file(const Setting& path) {
    std::string url;
    try {
        url = read_file(path.value);
    } catch (const std::system_error& error) {
        throw usage_error(path.origin + ": cannot read " + shown(path.value) + ": " + error.code().message());
    }
    // A secret saved by a Windows editor starts with a byte-order mark, which libpq would take as part of it.
    url = conninfo::trim(without_utf8_byte_order_mark(url));
    // libpq reads a C string: a NUL would silently cut the URL.
    if (url.find('\0') != std::string::npos) {
        throw usage_error(path.origin + ": " + shown(path.value) +
                          " holds a NUL byte (is this a text file?)");
    }
    if (url.empty()) {
        throw usage_error(path.origin + ": " + shown(path.value) + " is empty");
    }
    return url;
}

}  // namespace

std::string resolve_database_url(const Sources& sources, const Environment& env) {
    const Candidate chain[] = {
        {sources.get(Source::command_line, "database-url"), false},
        {sources.get(Source::command_line, "database-url-file"), true},
        {sources.get(Source::environment, "database-url"), false},
        {sources.get(Source::environment, "database-url-file"), true},
        {foreign(env, "DATABASE_URL"), false},
        {foreign(env, "DATABASE_URL_FILE"), true},
        {sources.get(Source::config_file, "database-url"), false},
        {sources.get(Source::config_file, "database-url-file"), true},
    };
    for (const Candidate& candidate : chain) {
        if (candidate.setting) {
            // Docker secrets and echo-made Kubernetes secrets end in a newline, wherever the URL comes from.
            return candidate.is_file ? read_url_file(*candidate.setting)
                                     : conninfo::trim(candidate.setting->value);
        }
    }
    return "";
}

}  // namespace pgentry::config::detail
