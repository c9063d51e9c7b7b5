#pragma once
// The tokens of one statement (as statement_splitter.hpp gives it), enough to read the head of the
// statements whose running depends on their words: CREATE INDEX, DROP INDEX, REINDEX, SET lock_timeout
// (migrations/index_statement.hpp). Not a parser: what it cannot read is a token of kind other.
#include <string>
#include <string_view>
#include <vector>

namespace pgentry::migrations {

enum class TokenKind {
    word,    // an unquoted identifier or keyword; text folded as the server folds it (ASCII lower case)
    name,    // a "quoted identifier"; text with doubled quotes undone, case kept
    string,  // a '...' or E'...' literal; text is its content with doubled quotes undone (escapes kept)
    symbol,  // one of ( ) , . = ;  text is that character
    other,   // numbers, operators, $$ bodies, U&"..." identifiers: never read further
};

struct Token {
    TokenKind kind;
    std::string text;

    bool is(std::string_view lower_word) const { return kind == TokenKind::word && text == lower_word; }
    bool is_symbol(char c) const { return kind == TokenKind::symbol && text.size() == 1 && text[0] == c; }
    // A word or a quoted identifier: something that can name a relation.
    bool is_identifier() const { return kind == TokenKind::word || kind == TokenKind::name; }
};

// text with A-Z as a-z: how the server folds unquoted identifiers in UTF-8 (other letters stay).
std::string fold_ascii(std::string_view text);

// Comments and whitespace are dropped. Identifiers longer than 63 bytes are cut to 63 at a character
// boundary, as the server does (NAMEDATALEN).
std::vector<Token> tokenize(std::string_view statement);

}  // namespace pgentry::migrations
