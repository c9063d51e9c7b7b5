#pragma once
// One statement read by PostgreSQL's own parser (libpg_query, the grammar of the PostgreSQL it was built
// from: Debian 12's libpg-query-dev is PostgreSQL 15's). An analysis only: the statement's text is what
// the server receives, never something made from this tree.
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

namespace pgentry::lint {

struct SyntaxError {
    std::string message;  // the parser's, e.g. "syntax error at or near \"TABEL\""
    std::size_t offset;   // byte offset in the statement text where the parser stopped
};

// The raw statement nodes, each an object with one member named by the node type:
// {"AlterTableStmt": {...}}. Several only when the text holds several (a splitter cannot always tell).
using ParseTree = std::vector<boost::json::object>;

// Never throws on bad SQL: a text the grammar does not know is a SyntaxError.
std::variant<ParseTree, SyntaxError> parse_statement(std::string_view text);

}  // namespace pgentry::lint
