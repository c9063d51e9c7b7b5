#include "migrations/index_statement.hpp"

#include <vector>

#include "migrations/statement_tokens.hpp"

namespace pgentry::migrations {
namespace {

// Reads tokens front to back; past the end every token is an empty "other".
class Reader {
public:
    explicit Reader(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    const Token& peek(std::size_t ahead = 0) const {
        static const Token end{TokenKind::other, ""};
        return at_ + ahead < tokens_.size() ? tokens_[at_ + ahead] : end;
    }
    bool take(std::string_view lower_word) {
        if (!peek().is(lower_word)) {
            return false;
        }
        ++at_;
        return true;
    }
    void skip() { ++at_; }
    bool take_all(std::initializer_list<std::string_view> words) {
        std::size_t ahead = 0;
        for (const auto word : words) {
            if (!peek(ahead++).is(word)) {
                return false;
            }
        }
        at_ += words.size();
        return true;
    }
    // name [. name [. name]]: the last two parts (a catalog before them is the current database).
    std::optional<RelationName> relation() {
        std::vector<std::string> parts;
        while (peek().is_identifier()) {
            parts.push_back(tokens_[at_++].text);
            if (!peek().is_symbol('.')) {
                break;
            }
            ++at_;
        }
        if (parts.empty() || parts.size() > 3) {
            return std::nullopt;
        }
        return RelationName{parts.size() > 1 ? parts[parts.size() - 2] : "", parts.back()};
    }
    // ( option [value] [, ...] ) of REINDEX: whether it holds CONCURRENTLY (not turned off).
    bool options_say_concurrently() {
        if (!peek().is_symbol('(')) {
            return false;
        }
        bool concurrently = false;
        for (++at_; at_ < tokens_.size() && !peek().is_symbol(')'); ++at_) {
            if (peek().is("concurrently")) {
                const Token& value = peek(1);
                concurrently = !(value.is("false") || value.is("off") || value.text == "0");
            }
        }
        ++at_;
        return concurrently;
    }

private:
    std::vector<Token> tokens_;
    std::size_t at_ = 0;
};

}  // namespace

std::string RelationName::quoted() const {
    const auto quote = [](const std::string& part) {
        std::string text = "\"";
        for (const char c : part) {
            text += c;
            if (c == '"') {
                text += '"';
            }
        }
        return text + '"';
    };
    return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

IndexStatement read_index_statement(std::string_view text) {
    Reader reader(tokenize(text));
    if (reader.take("drop")) {
        if (!reader.take("index")) {
            return {};
        }
        IndexStatement statement;
        statement.action = IndexAction::drop;
        statement.concurrently = reader.take("concurrently");
        return statement;
    }
    if (reader.take("reindex")) {
        const bool in_options = reader.options_say_concurrently();
        IndexStatement statement;
        statement.action = reader.take("index")   ? IndexAction::reindex_index
                           : reader.take("table") ? IndexAction::reindex_table
                                                  : IndexAction::reindex_other;
        if (statement.action == IndexAction::reindex_other) {
            reader.skip();
        }
        statement.concurrently = reader.take("concurrently") || in_options;
        if (statement.action != IndexAction::reindex_other) {
            const auto target = reader.relation();
            if (!target) {
                return {};
            }
            statement.target = *target;
        }
        return statement;
    }
    if (!reader.take("create")) {
        return {};
    }
    reader.take("unique");
    if (!reader.take("index")) {
        return {};
    }
    IndexStatement statement;
    statement.action = IndexAction::create;
    statement.concurrently = reader.take("concurrently");
    if (reader.take_all({"if", "not", "exists"})) {
        statement.if_not_exists = true;
        if (!reader.peek().is_identifier()) {
            return {};
        }
    }
    if (!reader.peek().is("on")) {
        if (!reader.peek().is_identifier()) {
            return {};
        }
        statement.index = reader.peek().text;
        reader.skip();
    }
    if (!reader.take("on")) {
        return {};
    }
    reader.take("only");
    const auto table = reader.relation();
    if (!table) {
        return {};
    }
    statement.target = *table;
    return statement;
}

bool runs_without_lock_timeout(const IndexStatement& statement) {
    return statement.concurrently && statement.action != IndexAction::other;
}

bool sets_lock_timeout(std::string_view text) {
    const std::vector<Token> tokens = tokenize(text);
    // Setting names are case-insensitive, quoted or not.
    const auto names_lock_timeout = [](const Token& token) {
        return token.is_identifier() && fold_ascii(token.text) == "lock_timeout";
    };
    if (!tokens.empty() && (tokens[0].is("set") || tokens[0].is("reset"))) {
        const std::size_t name =
            tokens.size() > 1 && (tokens[1].is("session") || tokens[1].is("local")) ? 2 : 1;
        if (name < tokens.size() && names_lock_timeout(tokens[name])) {
            return true;
        }
    }
    for (std::size_t i = 0; i + 2 < tokens.size(); ++i) {
        if (tokens[i].is("set_config") && tokens[i + 1].is_symbol('(') &&
            tokens[i + 2].kind == TokenKind::string && fold_ascii(tokens[i + 2].text) == "lock_timeout") {
            return true;
        }
    }
    return false;
}

}  // namespace pgentry::migrations
