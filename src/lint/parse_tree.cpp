#include "lint/parse_tree.hpp"

#include <boost/json/parse.hpp>
#include <pg_query.h>

namespace pgentry::lint {
namespace {

// PostgreSQL's parser stops at its own stack limit first (max_stack_depth, 2 MB by default).
constexpr std::size_t max_tree_depth = 100000;

// Owns what pg_query_parse allocated (tree and error alike).
struct ParseResult {
    PgQueryParseResult result;
    explicit ParseResult(const std::string& text) : result(pg_query_parse(text.c_str())) {}
    ~ParseResult() { pg_query_free_parse_result(result); }
    ParseResult(const ParseResult&) = delete;
    ParseResult& operator=(const ParseResult&) = delete;
};

// cursorpos is 1-based and counts bytes of the input; 0 means "no position" (the statement's start).
std::size_t error_offset(const PgQueryError& error, std::size_t length) {
    if (error.cursorpos <= 0) {
        return 0;
    }
    return std::min(static_cast<std::size_t>(error.cursorpos - 1), length);
}

}  // namespace

std::variant<ParseTree, SyntaxError> parse_statement(std::string_view text) {
    // libpg_query reads a C string: the splitter's statements never hold a NUL (the migration parser refuses
    // files with one), but a NUL here must not cut the text short silently.
    if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
        return SyntaxError{"NUL byte in the statement", nul};
    }
    const ParseResult parsed{std::string(text)};
    if (parsed.result.error != nullptr) {
        return SyntaxError{parsed.result.error->message, error_offset(*parsed.result.error, text.size())};
    }
    // The tree carries the statement's bytes as they are (a Latin-1 string constant is no UTF-8), and an
    // ordinary statement nests deeper than Boost.JSON's default limit of 32.
    boost::json::parse_options options;
    options.allow_invalid_utf8 = true;
    options.max_depth = max_tree_depth;
    boost::system::error_code error;
    const boost::json::value tree = boost::json::parse(parsed.result.parse_tree, error, {}, options);
    if (error) {
        return SyntaxError{"its parse tree is too deep to check (" + error.message() + ")", 0};
    }
    ParseTree statements;
    if (const auto* stmts = tree.as_object().if_contains("stmts"); stmts != nullptr) {
        for (const boost::json::value& raw : stmts->as_array()) {
            if (const auto* stmt = raw.as_object().if_contains("stmt"); stmt != nullptr) {
                statements.push_back(stmt->as_object());
            }
        }
    }
    return statements;
}

}  // namespace pgentry::lint
