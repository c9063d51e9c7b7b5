#include "db/result.hpp"

#include <charconv>
#include <string>

namespace pgentry::db {

std::optional<std::string> Result::optional_text(int row, int column) const {
    if (is_null(row, column)) {
        return std::nullopt;
    }
    return text(row, column);
}

std::int64_t Result::integer(int row, int column) const {
    const char* value = PQgetvalue(result_.get(), row, column);
    std::int64_t number = 0;
    std::from_chars(value, value + std::char_traits<char>::length(value), number);
    return number;
}

}  // namespace pgentry::db
