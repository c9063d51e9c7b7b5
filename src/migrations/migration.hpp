#pragma once
// One migration file, parsed: see SPEC.md "Migration files".
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pgentry::migrations {

// The SQL of an up or down section, CRLF already normalized to LF.
struct Section {
    std::string sql;          // the lines after the marker up to the next marker (or the whole file)
    int first_line = 1;       // 1-based line in the file where sql starts
    bool transaction = true;  // false for "-- migrate:up transaction:false"

    // 1-based line in the file of byte offset within sql.
    int line_of(std::size_t offset) const;
};

struct Migration {
    std::int64_t version = 0;
    std::string name;  // the NAME part of <VERSION>_<NAME>.sql
    std::filesystem::path path;
    Section up;
    std::optional<Section> down;
    std::string checksum;  // lowercase hex SHA-256 of up.sql
    std::string preamble;  // the comments and blank lines before the first marker ("" without markers)
};

struct FileName {
    std::int64_t version;
    std::string name;
};

// "<1-18 digits>_<[A-Za-z0-9_-]+>.sql" -> version and name; nullopt when it does not match.
std::optional<FileName> parse_file_name(std::string_view file_name);

// Parses a file body (markers, options) and checks its statements (statement_rules.hpp). A UTF-8 byte-order
// mark before it is ignored; a UTF-16 or UTF-32 one is refused. Throws pgentry::Error(65) "<path>:<line>:
// <what>".
Migration parse_migration(const FileName& name, const std::filesystem::path& path, std::string_view body);

}  // namespace pgentry::migrations
