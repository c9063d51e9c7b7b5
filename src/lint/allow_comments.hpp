#pragma once
// "-- pgentry:allow RULE[,RULE...]" comments (SPEC.md "Rolling updates", Lint): on the line above a statement
// or on its lines they accept those findings for that statement; before the first marker, for the file.
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace pgentry::lint {

// 1-based line in text (counted as migrations/lines.hpp counts them) -> the rules its allow comments name.
// Only real "--" comments count: the same text in a string, a quoted identifier, a dollar-quoted body or a /*
// */ comment does not.
using AllowedByLine = std::map<int, std::set<std::string>>;
AllowedByLine find_allow_comments(std::string_view text);

// The rules of one comment's text after "--" (" pgentry:allow a,b why"): the first word, comma-separated,
// continued by the next word while it ends with ','. Empty when it is not an allow comment.
std::set<std::string> parse_allow_comment(std::string_view comment);

}  // namespace pgentry::lint
