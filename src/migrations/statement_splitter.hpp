#pragma once
// Splits a section into the statements the server must receive one by one
// (transaction:false; several statements in one simple query run in one implicit transaction).
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace pgentry::migrations {

// What a statement's words make it, where running or validating it depends on that.
enum class StatementKind {
    other,
    // BEGIN, START TRANSACTION, COMMIT (also AND CHAIN, PREPARED), END, ROLLBACK but ROLLBACK TO
    // [SAVEPOINT], ABORT, PREPARE TRANSACTION: its first words, so that BEGIN ATOMIC, DO bodies and
    // CASE ... END inside a statement never count.
    transaction_control,
    copy_from_client,  // COPY ... FROM STDIN (the server also takes FROM STDOUT to mean the client)
    copy_to_client,    // COPY ... TO STDOUT (or TO STDIN)
};

// The inline data of a COPY ... FROM STDIN, as psql -f and pg_dump's output have it: the lines after
// the statement's line, up to a line "\." of its own.
struct CopyRows {
    std::string_view text;  // the data lines, each with its '\n' (the last may lack it), without "\."
    std::size_t offset;     // byte offset of text in the input: the start of the line after the statement
    bool terminated;        // false: the input ended before a line "\." (text runs to the end)
};

struct Statement {
    std::string_view text;  // from its first token to its terminating ';' inclusive (or the end of input)
    std::size_t offset;     // byte offset of text in the input
    StatementKind kind = StatementKind::other;
    // copy_from_client whose ';' is followed on its line by nothing but blanks and comments; nullopt for
    // every other statement (a COPY FROM STDIN without it has no data: the caller must refuse it).
    std::optional<CopyRows> copy_rows = std::nullopt;
};

// Statements in order. What lies between them is only whitespace and comments, and the copy rows (and
// their "\." line) of a COPY ... FROM STDIN; a chunk with no token (only comments, or a lone ';') yields no
// statement. Respects '' strings, E'' strings with backslash escapes, "" identifiers, dollar quotes ($$,
// $tag$), -- comments (ending at a CR or an LF, lines.hpp) and nested /* */ comments, and BEGIN ATOMIC ...
// END bodies of CREATE [OR REPLACE] FUNCTION/PROCEDURE.
//
// End of input: a last statement without ';' ends where its last token ends, so trailing
// whitespace and complete comments stay outside it. An unterminated string, quoted identifier,
// dollar quote or /* comment runs to the end of input and counts as a token (even on its own),
// so that the server sees it and reports the error instead of pgentry silently dropping text.
// A ';' inside parentheses or inside a BEGIN ATOMIC body does not end a statement; unbalanced
// parentheses therefore keep the rest of the input in one statement, which the server rejects.
std::vector<Statement> split_statements(std::string_view sql);

}  // namespace pgentry::migrations
