#pragma once
// Splits a section into the statements the server must receive one by one
// (transaction:false; several statements in one simple query run in one implicit transaction).
#include <cstddef>
#include <string_view>
#include <vector>

namespace pgentry::migrations {

struct Statement {
    std::string_view text;  // from its first token to its terminating ';' inclusive (or the end of input)
    std::size_t offset;     // byte offset of text in the input
};

// Statements in order. What lies between them is only whitespace and comments; a chunk with
// no token (only comments, or a lone ';') yields no statement. Respects '' strings, E'' strings
// with backslash escapes, "" identifiers, dollar quotes ($$, $tag$), -- and nested /* */ comments,
// and BEGIN ATOMIC ... END bodies of CREATE [OR REPLACE] FUNCTION/PROCEDURE.
//
// End of input: a last statement without ';' ends where its last token ends, so trailing
// whitespace and complete comments stay outside it. An unterminated string, quoted identifier,
// dollar quote or /* comment runs to the end of input and counts as a token (even on its own),
// so that the server sees it and reports the error instead of pgentry silently dropping text.
// A ';' inside parentheses or inside a BEGIN ATOMIC body does not end a statement; unbalanced
// parentheses therefore keep the rest of the input in one statement, which the server rejects.
std::vector<Statement> split_statements(std::string_view sql);

// 1-based line of byte offset within text (counts '\n' before it).
int line_at(std::string_view text, std::size_t offset);

}  // namespace pgentry::migrations
