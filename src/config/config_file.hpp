#pragma once
// Internal to src/config: the --config file's lines, read by hand. Boost's INI reader ends a value at
// any '#', which cuts a password such as "my#pass" short; this reader does not.
#include <string>
#include <string_view>
#include <vector>

namespace pgentry::config::detail {

// "key = value": key and value without their surrounding blanks; after a "[name]" line the key is
// "name.key" (and so unknown: pgentry's keys have no section).
struct ConfigEntry {
    std::string key;
    std::string value;
    int line;  // 1-based
};

// Only a line whose first non-blank character is '#' or ';' is a comment; a '#' anywhere else is part of
// the value. A UTF-8 byte order mark at the start is ignored, "\r\n" ends a line as '\n' does. Throws
// Error(64) naming file (as "config file PATH") and the line for a NUL byte or a line that is not
// "key = value" (the line shown with its password masked).
std::vector<ConfigEntry> read_config_entries(std::string_view text, const std::string& file);

}  // namespace pgentry::config::detail
