#pragma once
// What a section may not hold, found before any statement runs (SPEC.md "Migration files").
#include <filesystem>
#include <string_view>

#include "migrations/migration.hpp"

namespace pgentry::migrations {

// Throws Error(65) "<path>:<line>: <what>" for the first statement of section that is
//   - transaction control (BEGIN, COMMIT, ...) in a transactional section: it would commit half a migration;
//   - COPY ... TO STDOUT: a migration has nowhere to send rows;
//   - COPY ... FROM STDIN with more SQL after it on its line, or without the line "\." that ends its data.
// kind is "up" or "down", for the marker the message suggests.
void check_statements(const std::filesystem::path& path, const Section& section, std::string_view kind);

}  // namespace pgentry::migrations
