#pragma once
// pgentry's log lines: "[info] msg" for people, one JSON object per line for machines (stderr).
// Only log.cpp knows spdlog; the rest of the code says what happened through these functions.
// Lines are written as given, not searched for passwords: a short password's letters are ordinary words
// ("app" in "applied", a database named like its password). Whoever prints a URL prints its redacted
// form (conninfo::redact_conninfo); libpq and the server do not echo a password, and libpq's messages about
// a URL it rejects are masked where they are made (db::DatabaseUrl::parse).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "config/options.hpp"

namespace pgentry::log {

// A structured field: JSON gets it as a member, text already says it in the message.
struct Field {
    std::string_view key;
    std::variant<std::int64_t, std::string> value;
};
using Fields = std::initializer_list<Field>;

void setup(config::LogFormat format, config::LogLevel level);

bool enabled(config::LogLevel level);
void write(config::LogLevel level, std::string_view message, Fields fields = {});

inline void debug(std::string_view message, Fields fields = {}) {
    write(config::LogLevel::debug, message, fields);
}
inline void info(std::string_view message, Fields fields = {}) {
    write(config::LogLevel::info, message, fields);
}
inline void warn(std::string_view message, Fields fields = {}) {
    write(config::LogLevel::warn, message, fields);
}
inline void error(std::string_view message, Fields fields = {}) {
    write(config::LogLevel::error, message, fields);
}

}  // namespace pgentry::log
