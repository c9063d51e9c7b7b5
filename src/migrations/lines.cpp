#include "migrations/lines.hpp"

#include <algorithm>

namespace pgentry::migrations {
namespace {

// PostgreSQL's newline characters.
std::size_t next_newline(std::string_view text, std::size_t from) {
    return std::min(text.find_first_of("\r\n", from), text.size());
}

bool ends_line(std::string_view text, std::size_t offset) {
    return text[offset] == '\n' || is_lone_cr(text, offset);
}

}  // namespace

std::size_t comment_end(std::string_view text, std::size_t from) {
    return next_newline(text, from);
}

bool is_lone_cr(std::string_view text, std::size_t offset) {
    return text[offset] == '\r' && (offset + 1 == text.size() || text[offset + 1] != '\n');
}

int line_at(std::string_view text, std::size_t offset) {
    return LineCounter(text).at(offset).line;
}

LineCounter::Position LineCounter::at(std::size_t offset) {
    for (; counted_ < std::min(offset, text_.size()); ++counted_) {
        if (ends_line(text_, counted_)) {
            position_ = {position_.line + 1, counted_ + 1};
        }
    }
    return position_;
}

std::size_t line_begin(std::string_view text, std::size_t offset) {
    for (std::size_t i = std::min(offset, text.size()); i > 0; --i) {
        if (ends_line(text, i - 1)) {
            return i;
        }
    }
    return 0;
}

Line line_from(std::string_view text, std::size_t begin) {
    const std::size_t end = next_newline(text, begin);
    if (end == text.size()) {
        return {text.substr(begin), end};
    }
    const bool crlf = text[end] == '\r' && !is_lone_cr(text, end);
    return {text.substr(begin, end - begin), end + (crlf ? 2 : 1)};
}

std::string_view line_before(std::string_view text, std::size_t begin) {
    std::size_t end = begin - 1;
    if (text[end] == '\n' && end > 0 && text[end - 1] == '\r') {
        --end;
    }
    const std::size_t start = line_begin(text, end);
    return text.substr(start, end - start);
}

}  // namespace pgentry::migrations
