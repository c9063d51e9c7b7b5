#pragma once
// For "did you mean": how far a mistyped option name is from a known one.
#include <cstddef>
#include <string_view>

namespace pgentry::config {

// Levenshtein distance: the fewest single-character insertions, deletions and substitutions that turn a into
// b. Bytes, not characters: option names are ASCII.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace pgentry::config
