#pragma once
// --log-format and --log-level: one pair of types for all three programs, from the options pgentry parses
// (config::Options) to the lines pgentry-init writes (process/log_line.hpp). Plain C++, no library.
#include <cstddef>
#include <string_view>

namespace pgentry::process {

enum class LogFormat { text, json };
enum class LogLevel { debug, info, warn, error };

template <class E>
struct Named {
    std::string_view name;  // the option value's spelling
    E value;
};

inline constexpr Named<LogFormat> log_formats[] = {{"text", LogFormat::text}, {"json", LogFormat::json}};
inline constexpr Named<LogLevel> log_levels[] = {{"debug", LogLevel::debug},
                                                 {"info", LogLevel::info},
                                                 {"warn", LogLevel::warn},
                                                 {"error", LogLevel::error}};

// The spelling of value in names.
template <class E, std::size_t N>
constexpr std::string_view name_of(E value, const Named<E> (&names)[N]) {
    for (const Named<E>& named : names) {
        if (named.value == value) {
            return named.name;
        }
    }
    return names[0].name;
}

constexpr std::string_view name_of(LogFormat format) {
    return name_of(format, log_formats);
}
constexpr std::string_view name_of(LogLevel level) {
    return name_of(level, log_levels);
}

// The value spelt text in names; false when none is.
template <class E, std::size_t N>
constexpr bool parse_name(std::string_view text, const Named<E> (&names)[N], E& value) {
    for (const Named<E>& named : names) {
        if (named.name == text) {
            value = named.value;
            return true;
        }
    }
    return false;
}

}  // namespace pgentry::process
