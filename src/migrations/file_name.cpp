#include <algorithm>
#include <charconv>

#include "migrations/migration.hpp"

namespace pgentry::migrations {
namespace {

// 18 digits always fit a signed 64-bit integer (Ecto's bigint version column).
constexpr std::size_t max_version_digits = 18;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

}  // namespace

std::optional<FileName> parse_file_name(std::string_view file_name) {
    constexpr std::string_view extension = ".sql";
    if (!file_name.ends_with(extension)) {
        return std::nullopt;
    }
    const std::string_view stem = file_name.substr(0, file_name.size() - extension.size());
    const std::size_t digits = std::find_if_not(stem.begin(), stem.end(), is_digit) - stem.begin();
    if (digits == 0 || digits > max_version_digits || digits == stem.size() || stem[digits] != '_') {
        return std::nullopt;
    }
    const std::string_view name = stem.substr(digits + 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char)) {
        return std::nullopt;
    }
    FileName result{0, std::string(name)};
    std::from_chars(stem.data(), stem.data() + digits, result.version);
    return result;
}

}  // namespace pgentry::migrations
