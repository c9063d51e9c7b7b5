#pragma once
// pgentry's log lines: "[info] msg" for people, one JSON object per line for machines (stderr).
// Only log.cpp knows spdlog; the rest of the code says what happened through these functions.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/options.hpp"

namespace pgentry::log {

// A structured field: JSON gets it as a member, text already says it in the message.
struct Field {
    std::string_view key;
    std::variant<std::int64_t, std::string> value;
};
using Fields = std::initializer_list<Field>;

void setup(config::LogFormat format, config::LogLevel level);

// Every later line has these replaced by "****" (passwords of the database URL, PGPASSWORD).
void add_secrets(const std::vector<std::string>& secrets);

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
