#pragma once
// Where the lines of a migration's text end, as PostgreSQL sees them. The server's lexer (scan.l:
// newline [\n\r], non_newline [^\n\r], comment ("--"{non_newline}*)), and psql's, end a "--" comment at a
// CR as at an LF, and libpq numbers a query's lines (an error's "LINE n") the same way, a CRLF once. Read
// only up to LF, a file with CR line endings, or a stray CR after a comment, is one long comment: nothing
// after its first "--" would run. Every reader of a migration's lines and comments goes through here.
//
// A line ends at an LF, a CRLF, or a lone CR (one not followed by LF). The texts given are bodies with CRLF
// normalized to LF (migration.hpp), where a CR before an LF is left only by a CR CR LF (a file converted to
// CRLF twice): as a CRLF it ends one line.
#include <cstddef>
#include <string_view>

namespace pgentry::migrations {

// Where a "--" comment at from ends: the first CR or LF from there, or the end of text.
std::size_t comment_end(std::string_view text, std::size_t from);

// Whether the byte at offset is a CR that ends a line of its own (not the CR of a CRLF).
bool is_lone_cr(std::string_view text, std::size_t offset);

// 1-based line of byte offset within text: one more than the line ends before it.
int line_at(std::string_view text, std::size_t offset);

// line_at and line_begin for offsets asked in non-decreasing order, in time linear in the text over all the
// calls: asked from the start for each statement, the lint took 13 s over a file of 20,000 INSERTs (a data
// migration). A copy goes on from where the original was.
class LineCounter {
public:
    struct Position {
        int line;                // 1-based, as line_at
        std::size_t line_begin;  // as line_begin
    };

    explicit LineCounter(std::string_view text) : text_(text) {}
    // Requires offset >= every offset asked of this counter before.
    Position at(std::size_t offset);

private:
    std::string_view text_;
    std::size_t counted_ = 0;  // the line ends before here are counted in position_
    Position position_{1, 0};
};

// Where the line holding offset begins.
std::size_t line_begin(std::string_view text, std::size_t offset);

struct Line {
    std::string_view text;  // without its line end
    std::size_t next;       // where the next line begins (text.size() after the last)
};

// The line that begins at begin.
Line line_from(std::string_view text, std::size_t begin);

// The line that ends right before begin, the start of a line other than the first.
std::string_view line_before(std::string_view text, std::size_t begin);

}  // namespace pgentry::migrations
