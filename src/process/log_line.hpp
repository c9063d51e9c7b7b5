#pragma once
// The plain log lines of pgentry-init (and of --launch=exec's failure) on stderr, in pgentry's formats: text
// "[level] msg", json one object per line with ts, level and msg. Written by hand on write(2): the static
// init links neither spdlog nor Boost.JSON.
#include "process/log_format.hpp"

namespace pgentry::process {

void configure_log(LogFormat format, LogLevel level);

// Whether a line at level is written: lets a caller skip formatting its arguments.
bool log_enabled(LogLevel level);

// printf-style message; the whole line goes out in one write(2), so lines of concurrent processes don't mix.
[[gnu::format(printf, 2, 3)]] void log_line(LogLevel level, const char* format, ...);

}  // namespace pgentry::process
