#include "migrations/statement_splitter.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "migrations/lines.hpp"

// A scanner that knows just enough of PostgreSQL's lexical rules to find the ';' that end
// statements. It never judges validity: whatever it cannot make sense of goes to the server.

namespace pgentry::migrations {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Like the server, every byte with the high bit set is a letter, so UTF-8 names are words.
bool is_ident_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// Dollar-quote tags cannot contain '$', identifiers can (a$b is one name).
bool is_tag_char(char c) {
    return is_ident_start(c) || is_digit(c);
}
bool is_ident_char(char c) {
    return is_tag_char(c) || c == '$';
}

bool iequals(std::string_view word, std::string_view lower) {
    return std::equal(word.begin(), word.end(), lower.begin(), lower.end(),
                      [](char a, char b) { return (a >= 'A' && a <= 'Z' ? char(a - 'A' + 'a') : a) == b; });
}

bool is_routine(std::string_view word) {
    return iequals(word, "function") || iequals(word, "procedure");
}

// How far the statement's leading words match CREATE [OR REPLACE] FUNCTION|PROCEDURE: only there
// can BEGIN ATOMIC open a body whose ';' do not end the statement (psql decides the same way).
enum class Head { start, create, create_or, create_or_replace, routine, other };

Head next_head(Head head, std::string_view word) {
    switch (head) {
    case Head::start: return iequals(word, "create") ? Head::create : Head::other;
    case Head::create:
        return is_routine(word) ? Head::routine : iequals(word, "or") ? Head::create_or : Head::other;
    case Head::create_or: return iequals(word, "replace") ? Head::create_or_replace : Head::other;
    case Head::create_or_replace: return is_routine(word) ? Head::routine : Head::other;
    case Head::routine:
    case Head::other: break;
    }
    return head;
}

enum class TokenKind { word, open_paren, close_paren, other };

struct Token {
    std::size_t end;
    TokenKind kind;
};

// A statement's first tokens, enough to tell transaction control (ROLLBACK WORK TO, PREPARE TRANSACTION 'x').
struct Lead {
    std::array<std::string_view, 3> words{};  // a token that is not a word leaves its slot "(" or a quote
    std::size_t count = 0;

    void add(TokenKind kind, std::string_view text) {
        if (count < words.size()) {
            words[count++] = kind == TokenKind::word ? text : text.substr(0, 1);
        }
    }
    bool is(std::size_t i, std::string_view lower) const { return i < count && iequals(words[i], lower); }
};

bool controls_transaction(const Lead& lead) {
    if (lead.is(0, "begin") || lead.is(0, "commit") || lead.is(0, "end") || lead.is(0, "abort")) {
        return true;  // COMMIT AND CHAIN and COMMIT PREPARED too
    }
    if (lead.is(0, "start")) {
        return lead.is(1, "transaction");
    }
    if (lead.is(0,
                "rollback")) {  // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name stays in the transaction
        const std::size_t next = lead.is(1, "work") || lead.is(1, "transaction") ? 2 : 1;
        return !lead.is(next, "to");
    }
    // PREPARE TRANSACTION 'gid', but not a prepared statement named "transaction" (PREPARE transaction AS
    // ...).
    return lead.is(0, "prepare") && lead.is(1, "transaction") && !lead.is(2, "as") && !lead.is(2, "(");
}

// COPY's FROM or TO followed by STDIN or STDOUT: the server takes either word for "the client".
enum class CopyEnd { none, from, to };

bool is_client(std::string_view word) {
    return iequals(word, "stdin") || iequals(word, "stdout");
}

class Splitter {
public:
    explicit Splitter(std::string_view sql) : sql_(sql) {}

    std::vector<Statement> run() {
        std::size_t i = 0;
        while (i < sql_.size()) {
            i = step(i);
        }
        if (start_) {
            emit(last_end_);
        }
        return std::move(statements_);
    }

private:
    // Consumes whatever starts at i and returns where the next thing starts.
    std::size_t step(std::size_t i) {
        const char c = sql_[i];
        if (is_space(c)) {
            return i + 1;
        }
        if (at(i, "--")) {
            return comment_end(sql_, i);
        }
        if (at(i, "/*")) {
            if (auto end = block_comment_end(i)) {
                return *end;
            }
            add_token(i, sql_.size());  // unterminated: the server must see it
            return sql_.size();
        }
        if (c == ';' && paren_depth_ == 0 && atomic_depth_ == 0) {
            if (start_) {
                emit(i + 1);
                if (statements_.back().kind == StatementKind::copy_from_client) {
                    return take_copy_rows(i + 1);
                }
            }
            return i + 1;
        }
        const Token token = scan_token(i);
        add_token(i, token.end);
        track(token.kind, sql_.substr(i, token.end - i));
        return token.end;
    }

    Token scan_token(std::size_t i) const {
        const char c = sql_[i];
        if (c == '\'' || c == '"') {
            return {doubled_quote_end(i + 1, c), TokenKind::other};
        }
        if (c == '$') {
            return {dollar_end(i), TokenKind::other};
        }
        if (c == '(') {
            return {i + 1, TokenKind::open_paren};
        }
        if (c == ')') {
            return {i + 1, TokenKind::close_paren};
        }
        if (is_digit(c)) {
            // Swallow what follows a number so that "1end" is not taken for END.
            return {span(i + 1, is_tag_char), TokenKind::other};
        }
        if (!is_ident_start(c)) {
            return {i + 1, TokenKind::other};
        }
        const std::size_t end = span(i + 1, is_ident_char);
        // E'...' is the only prefixed string whose quote a backslash escapes; B'', X'', N'' and
        // U&'' scan like plain strings after their prefix word.
        if (end == i + 1 && (c == 'E' || c == 'e') && end < sql_.size() && sql_[end] == '\'') {
            return {escape_string_end(end + 1), TokenKind::other};
        }
        return {end, TokenKind::word};
    }

    void track(TokenKind kind, std::string_view text) {
        lead_.add(kind, text);
        track_copy(kind, text);
        head_ = next_head(head_, kind == TokenKind::word ? text : std::string_view{});
        if (kind == TokenKind::open_paren) {
            ++paren_depth_;
        } else if (kind == TokenKind::close_paren) {
            paren_depth_ = std::max(paren_depth_ - 1, 0);
        } else if (kind == TokenKind::word && head_ == Head::routine && paren_depth_ == 0) {
            track_atomic(text);
        }
    }

    // CASE ... END nests inside a BEGIN ATOMIC body; outside one, CASE cannot start a body.
    void track_atomic(std::string_view word) {
        if (iequals(word, "begin")) {
            ++atomic_depth_;
        } else if (iequals(word, "case") && atomic_depth_ > 0) {
            ++atomic_depth_;
        } else if (iequals(word, "end") && atomic_depth_ > 0) {
            --atomic_depth_;
        }
    }

    // Only words outside parentheses count: in COPY (SELECT ... FROM stdin_log) TO STDOUT the query's
    // FROM is inside them.
    void track_copy(TokenKind kind, std::string_view word) {
        const bool top_word = kind == TokenKind::word && paren_depth_ == 0;
        if (lead_.count == 1) {
            is_copy_ = top_word && iequals(word, "copy");
        } else if (is_copy_ && top_word && copy_end_ != CopyEnd::none && is_client(word)) {
            copy_kind_ =
                copy_end_ == CopyEnd::from ? StatementKind::copy_from_client : StatementKind::copy_to_client;
        }
        copy_end_ = !top_word               ? CopyEnd::none
                    : iequals(word, "from") ? CopyEnd::from
                    : iequals(word, "to")   ? CopyEnd::to
                                            : CopyEnd::none;
    }

    // After the ';' of a COPY ... FROM STDIN: when the rest of its line holds only blanks, comments and ';',
    // the next lines are its data up to a line "\." (psql -f reads them the same way). Returns where SQL
    // resumes: after that line, or at the rest of the line when it holds more SQL (the COPY then has no
    // data). These lines end at LF, as psql reads the data (fgets); a comment still ends at a CR, so SQL
    // after a lone CR on the COPY's line leaves it without data instead of being taken for a comment.
    std::size_t take_copy_rows(std::size_t i) {
        while (i < sql_.size() && sql_[i] != '\n') {
            if (is_space(sql_[i]) || sql_[i] == ';') {
                ++i;
            } else if (at(i, "--")) {
                i = comment_end(sql_, i);
            } else if (const auto end = at(i, "/*") ? block_comment_end(i) : std::nullopt;
                       end && sql_.substr(i, *end - i).find('\n') == std::string_view::npos) {
                i = *end;
            } else {
                return i;
            }
        }
        const std::size_t begin = std::min(i + 1, sql_.size());
        for (std::size_t line = begin; line < sql_.size();) {
            const std::size_t end = std::min(sql_.find('\n', line), sql_.size());
            std::string_view content = sql_.substr(line, end - line);
            if (content.ends_with('\r')) {
                content.remove_suffix(1);
            }
            if (content == "\\.") {
                statements_.back().copy_rows = CopyRows{sql_.substr(begin, line - begin), begin, true};
                return std::min(end + 1, sql_.size());
            }
            line = end + 1;
        }
        statements_.back().copy_rows = CopyRows{sql_.substr(begin), begin, false};
        return sql_.size();
    }

    void add_token(std::size_t begin, std::size_t end) {
        if (!start_) {
            start_ = begin;
        }
        last_end_ = end;
    }

    void emit(std::size_t end) {
        const StatementKind kind = copy_kind_ != StatementKind::other ? copy_kind_
                                   : controls_transaction(lead_)      ? StatementKind::transaction_control
                                                                      : StatementKind::other;
        statements_.push_back({sql_.substr(*start_, end - *start_), *start_, kind});
        start_.reset();
        paren_depth_ = 0;
        atomic_depth_ = 0;
        head_ = Head::start;
        lead_ = Lead{};
        is_copy_ = false;
        copy_end_ = CopyEnd::none;
        copy_kind_ = StatementKind::other;
    }

    bool at(std::size_t i, std::string_view s) const { return sql_.substr(i, s.size()) == s; }

    template <typename Pred>
    std::size_t span(std::size_t i, Pred pred) const {
        while (i < sql_.size() && pred(sql_[i])) {
            ++i;
        }
        return i;
    }

    // Block comments nest in PostgreSQL, unlike in the SQL standard's C heritage.
    std::optional<std::size_t> block_comment_end(std::size_t i) const {
        int depth = 0;
        while (i < sql_.size()) {
            if (at(i, "/*")) {
                ++depth;
                i += 2;
            } else if (at(i, "*/")) {
                i += 2;
                if (--depth == 0) {
                    return i;
                }
            } else {
                ++i;
            }
        }
        return std::nullopt;
    }

    // i is just past the opening quote; a doubled quote stands for itself.
    std::size_t doubled_quote_end(std::size_t i, char quote) const {
        for (;;) {
            const std::size_t close = sql_.find(quote, i);
            if (close == std::string_view::npos) {
                return sql_.size();
            }
            if (close + 1 < sql_.size() && sql_[close + 1] == quote) {
                i = close + 2;
                continue;
            }
            return close + 1;
        }
    }

    std::size_t escape_string_end(std::size_t i) const {
        while (i < sql_.size()) {
            if (sql_[i] == '\\') {
                i += 2;
            } else if (sql_[i] != '\'') {
                ++i;
            } else if (i + 1 < sql_.size() && sql_[i + 1] == '\'') {
                i += 2;
            } else {
                return i + 1;
            }
        }
        return sql_.size();
    }

    // A '$' opens a dollar quote only as $$ or $tag$. Any other '$' is a token of its own: in $1 the
    // digits that follow scan as a number, since a tag cannot start with a digit.
    std::size_t dollar_end(std::size_t i) const {
        std::size_t tag_end = i + 1;
        if (tag_end < sql_.size() && is_ident_start(sql_[tag_end])) {
            tag_end = span(tag_end, is_tag_char);
        }
        if (tag_end >= sql_.size() || sql_[tag_end] != '$') {
            return i + 1;
        }
        const std::string_view delimiter = sql_.substr(i, tag_end + 1 - i);
        const std::size_t close = sql_.find(delimiter, tag_end + 1);
        return close == std::string_view::npos ? sql_.size() : close + delimiter.size();
    }

    std::string_view sql_;
    std::vector<Statement> statements_;
    std::optional<std::size_t> start_;  // first token of the statement being scanned
    std::size_t last_end_ = 0;          // end of its latest token
    int paren_depth_ = 0;
    int atomic_depth_ = 0;
    Head head_ = Head::start;
    Lead lead_;
    bool is_copy_ = false;
    CopyEnd copy_end_ = CopyEnd::none;  // the previous top-level word was COPY's FROM or TO
    StatementKind copy_kind_ = StatementKind::other;
};

}  // namespace

std::vector<Statement> split_statements(std::string_view sql) {
    return Splitter(sql).run();
}

}  // namespace pgentry::migrations
