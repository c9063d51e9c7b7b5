#include "config/config_file.hpp"

#include "common/file.hpp"
#include "config/option_sources.hpp"
#include "conninfo/redact.hpp"

namespace pgentry::config::detail {
namespace {

std::string at_line(const std::string& file, int line) {
    return file + ", line " + std::to_string(line) + ": ";
}

}  // namespace

std::vector<ConfigEntry> read_config_entries(std::string_view text, const std::string& file) {
    text = without_utf8_byte_order_mark(text);
    std::vector<ConfigEntry> entries;
    std::string section;
    int number = 0;
    while (!text.empty()) {
        ++number;
        const std::size_t end = text.find('\n');
        const std::string_view raw = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (raw.find('\0') != std::string_view::npos) {
            throw usage_error(at_line(file, number) + "holds a NUL byte (is this a text file?)");
        }
        const std::string line = conninfo::trim(raw);
        if (line.empty() || line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        if (line.starts_with('[') && line.ends_with(']')) {
            section = conninfo::trim(std::string_view(line).substr(1, line.size() - 2));
            continue;
        }
        const std::size_t equals = line.find('=');
        const std::string key = conninfo::trim(std::string_view(line).substr(0, equals));
        if (equals == std::string::npos || key.empty()) {
            throw usage_error(at_line(file, number) + "invalid line '" + shown(line) +
                              "' (expected key = value)");
        }
        entries.push_back({section.empty() ? key : section + "." + key,
                           conninfo::trim(std::string_view(line).substr(equals + 1)), number});
    }
    return entries;
}

}  // namespace pgentry::config::detail
