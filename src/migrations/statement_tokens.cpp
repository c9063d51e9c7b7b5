#include "migrations/statement_tokens.hpp"

#include "migrations/lines.hpp"

namespace pgentry::migrations {
namespace {

constexpr std::size_t max_identifier = 63;  // NAMEDATALEN - 1

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_word_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

bool is_word_char(char c) {
    return is_word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

std::string truncated(std::string name) {
    if (name.size() <= max_identifier) {
        return name;
    }
    std::size_t cut = max_identifier;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    name.resize(cut);
    return name;
}

class Tokenizer {
public:
    explicit Tokenizer(std::string_view sql) : sql_(sql) {}

    std::vector<Token> run() {
        while (at_ < sql_.size()) {
            step();
        }
        return std::move(tokens_);
    }

private:
    void step() {
        const char c = sql_[at_];
        if (is_space(c)) {
            ++at_;
        } else if (sql_.substr(at_, 2) == "--") {
            at_ = comment_end(sql_, at_);
        } else if (sql_.substr(at_, 2) == "/*") {
            skip_block_comment();
        } else if (c == '"') {
            tokens_.push_back({TokenKind::name, truncated(quoted('"', false))});
        } else if (c == '\'') {
            tokens_.push_back({TokenKind::string, quoted('\'', false)});
        } else if ((c == 'E' || c == 'e') && sql_.substr(at_ + 1, 1) == "'") {
            ++at_;
            tokens_.push_back({TokenKind::string, quoted('\'', true)});
        } else if ((c == 'U' || c == 'u') && sql_.substr(at_ + 1, 2) == "&\"") {
            at_ += 2;
            quoted('"', false);
            tokens_.push_back({TokenKind::other, "U&"});
        } else if (c == '$' && dollar_quote()) {
            tokens_.push_back({TokenKind::other, "$"});
        } else if (is_word_start(c)) {
            word();
        } else if (c == '(' || c == ')' || c == ',' || c == '.' || c == '=' || c == ';') {
            tokens_.push_back({TokenKind::symbol, std::string(1, c)});
            ++at_;
        } else {
            other();
        }
    }

    void skip_block_comment() {
        int depth = 0;
        while (at_ < sql_.size()) {
            if (sql_.substr(at_, 2) == "/*") {
                ++depth;
                at_ += 2;
            } else if (sql_.substr(at_, 2) == "*/") {
                at_ += 2;
                if (--depth == 0) {
                    return;
                }
            } else {
                ++at_;
            }
        }
    }

    // At the opening quote; returns the content with doubled quotes undone (and \x kept as written).
    std::string quoted(char quote, bool backslash_escapes) {
        std::string text;
        ++at_;
        while (at_ < sql_.size()) {
            const char c = sql_[at_++];
            if (backslash_escapes && c == '\\' && at_ < sql_.size()) {
                text += c;
                text += sql_[at_++];
            } else if (c != quote) {
                text += c;
            } else if (at_ < sql_.size() && sql_[at_] == quote) {
                text += quote;
                ++at_;
            } else {
                break;
            }
        }
        return text;
    }

    // $tag$ ... $tag$; false (nothing consumed) when '$' does not open one (a parameter such as $1).
    bool dollar_quote() {
        std::size_t end = at_ + 1;
        while (end < sql_.size() && is_word_char(sql_[end]) && sql_[end] != '$') {
            ++end;
        }
        if (end >= sql_.size() || sql_[end] != '$' ||
            (end > at_ + 1 && sql_[at_ + 1] >= '0' && sql_[at_ + 1] <= '9')) {
            return false;
        }
        const std::string_view tag = sql_.substr(at_, end + 1 - at_);
        const std::size_t close = sql_.find(tag, end + 1);
        at_ = close == std::string_view::npos ? sql_.size() : close + tag.size();
        return true;
    }

    void word() {
        const std::size_t start = at_;
        while (at_ < sql_.size() && is_word_char(sql_[at_])) {
            ++at_;
        }
        tokens_.push_back({TokenKind::word, truncated(fold_ascii(sql_.substr(start, at_ - start)))});
    }

    void other() {
        const std::size_t start = at_++;
        while (at_ < sql_.size() && !is_space(sql_[at_]) && !is_word_start(sql_[at_]) &&
               std::string_view("()\"',.=;$-/").find(sql_[at_]) == std::string_view::npos) {
            ++at_;
        }
        tokens_.push_back({TokenKind::other, std::string(sql_.substr(start, at_ - start))});
    }

    std::string_view sql_;
    std::size_t at_ = 0;
    std::vector<Token> tokens_;
};

}  // namespace

std::string fold_ascii(std::string_view text) {
    std::string folded(text);
    for (char& c : folded) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return folded;
}

std::vector<Token> tokenize(std::string_view statement) {
    return Tokenizer(statement).run();
}

}  // namespace pgentry::migrations
