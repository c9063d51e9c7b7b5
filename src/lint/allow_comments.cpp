#include "lint/allow_comments.hpp"

#include "migrations/lines.hpp"

// A scanner that knows only where PostgreSQL's "--" comments are: it skips '' and E'' strings, ""
// identifiers, $tag$ bodies and nested /* */ comments, as the server's lexer does (scan.l), and ends a
// comment and a line where migrations/lines.hpp says.

namespace pgentry::lint {
namespace {

bool is_ident_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

class CommentScanner {
public:
    explicit CommentScanner(std::string_view text) : text_(text) {}

    AllowedByLine scan() {
        AllowedByLine allowed;
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (c == '-' && next_is('-')) {
                const std::size_t end = migrations::comment_end(text_, at_);
                if (auto rules = parse_allow_comment(text_.substr(at_ + 2, end - at_ - 2)); !rules.empty()) {
                    allowed[line_].merge(rules);
                }
                at_ = end;
            } else if (c == '/' && next_is('*')) {
                skip_block_comment();
            } else if (c == '\'') {
                skip_quoted('\'', escapes_with_backslash());
            } else if (c == '"') {
                skip_quoted('"', false);
            } else if (c == '$' && (at_ == 0 || !is_ident_char(text_[at_ - 1]))) {
                skip_dollar_quote();
            } else {
                advance();
            }
        }
        return allowed;
    }

private:
    bool next_is(char c) const { return at_ + 1 < text_.size() && text_[at_ + 1] == c; }

    void advance(std::size_t count = 1) {
        for (; count > 0 && at_ < text_.size(); --count, ++at_) {
            if (text_[at_] == '\n' || migrations::is_lone_cr(text_, at_)) {
                ++line_;
            }
        }
    }

    // E'...' (a lone E or e before the quote, not the end of a longer word).
    bool escapes_with_backslash() const {
        return at_ >= 1 && (text_[at_ - 1] == 'E' || text_[at_ - 1] == 'e') &&
               (at_ < 2 || !is_ident_char(text_[at_ - 2]));
    }

    void skip_quoted(char quote, bool backslash) {
        advance();
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (backslash && c == '\\') {
                advance(2);
            } else if (c == quote && next_is(quote)) {
                advance(2);
            } else {
                advance();
                if (c == quote) {
                    return;
                }
            }
        }
    }

    void skip_block_comment() {
        int depth = 0;
        while (at_ < text_.size()) {
            if (text_[at_] == '/' && next_is('*')) {
                ++depth;
                advance(2);
            } else if (text_[at_] == '*' && next_is('/')) {
                advance(2);
                if (--depth == 0) {
                    return;
                }
            } else {
                advance();
            }
        }
    }

    // $$ or $tag$ (a tag does not start with a digit: $1 is a parameter); anything else is one character.
    void skip_dollar_quote() {
        std::size_t end = at_ + 1;
        while (end < text_.size() && is_ident_char(text_[end]) && text_[end] != '$') {
            ++end;
        }
        const bool digit_start = end > at_ + 1 && text_[at_ + 1] >= '0' && text_[at_ + 1] <= '9';
        if (end >= text_.size() || text_[end] != '$' || digit_start) {
            advance();
            return;
        }
        const std::string_view tag = text_.substr(at_, end - at_ + 1);
        const std::size_t close = text_.find(tag, end + 1);
        advance((close == std::string_view::npos ? text_.size() : close + tag.size()) - at_);
    }

    std::string_view text_;
    std::size_t at_ = 0;
    int line_ = 1;
};

}  // namespace

std::set<std::string> parse_allow_comment(std::string_view comment) {
    constexpr std::string_view keyword = "pgentry:allow";
    std::size_t at = 0;
    while (at < comment.size() && is_blank(comment[at])) {
        ++at;
    }
    if (comment.substr(at, keyword.size()) != keyword || at + keyword.size() >= comment.size() ||
        !is_blank(comment[at + keyword.size()])) {
        return {};
    }
    at += keyword.size();
    std::set<std::string> rules;
    bool more = true;
    while (more) {
        while (at < comment.size() && is_blank(comment[at])) {
            ++at;
        }
        std::size_t end = at;
        while (end < comment.size() && !is_blank(comment[end])) {
            ++end;
        }
        const std::string_view word = comment.substr(at, end - at);
        more = !word.empty() && word.back() == ',';
        for (std::size_t begin = 0; begin < word.size();) {
            const std::size_t comma = std::min(word.find(',', begin), word.size());
            if (comma > begin) {
                rules.emplace(word.substr(begin, comma - begin));
            }
            begin = comma + 1;
        }
        at = end;
    }
    return rules;
}

AllowedByLine find_allow_comments(std::string_view text) {
    return CommentScanner(text).scan();
}

}  // namespace pgentry::lint
