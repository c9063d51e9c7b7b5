#include "process/log_line.hpp"

#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <ctime>

namespace pgentry::process {
namespace {

LogFormat log_format = LogFormat::text;
LogLevel min_level = LogLevel::info;

// The names are NUL-terminated literals.
const char* level_name(LogLevel level) {
    return name_of(level).data();
}

// The body of a JSON string: `"` and `\` escaped, control characters as \u00XX. Hand-written because the
// static init does not link Boost.JSON; other bytes pass unchanged. out must hold 6 * strlen(text) + 1.
void json_escape(const char* text, char* out) {
    for (; *text != '\0'; ++text) {
        const auto c = static_cast<unsigned char>(*text);
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = static_cast<char>(c);
        } else if (c < 0x20) {
            out += std::snprintf(out, 7, "\\u%04x", c);
        } else {
            *out++ = static_cast<char>(c);
        }
    }
    *out = '\0';
}

// UTC with milliseconds, e.g. 2024-07-05T20:57:30.123Z.
void timestamp(char (&out)[32]) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    tm utc{};
    gmtime_r(&now.tv_sec, &utc);
    const std::size_t length = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(out + length, sizeof out - length, ".%03ldZ", now.tv_nsec / 1000000);
}

}  // namespace

void configure_log(LogFormat format, LogLevel level) {
    log_format = format;
    min_level = level;
}

bool log_enabled(LogLevel level) {
    return level >= min_level;
}

void log_line(LogLevel level, const char* format, ...) {
    if (!log_enabled(level)) {
        return;
    }
    char message[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);

    char line[6 * sizeof message + 128];
    int length = 0;
    if (log_format == LogFormat::text) {
        length = std::snprintf(line, sizeof line, "[%s] %s\n", level_name(level), message);
    } else {
        char escaped[6 * sizeof message];
        json_escape(message, escaped);
        char ts[32];
        timestamp(ts);
        length = std::snprintf(line, sizeof line, "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"}\n", ts,
                               level_name(level), escaped);
    }
    // A failed write to stderr has nowhere to be reported.
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, line, static_cast<size_t>(length));
}

}  // namespace pgentry::process
