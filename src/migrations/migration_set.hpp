#pragma once
// Every migration in a directory, validated before the database is touched.
#include <filesystem>
#include <string>
#include <vector>

#include "migrations/migration.hpp"

namespace pgentry::migrations {

// The names of the .sql files of dir that are not hidden, sorted (so that with several bad files the same one
// is reported every time), whatever their names. Throws Error(66) when dir is missing or unreadable.
std::vector<std::string> list_sql_files(const std::filesystem::path& dir);

class MigrationSet {
public:
    // Throws Error(66) when dir is missing or unreadable, Error(65) for a bad name, body or a duplicate
    // version.
    static MigrationSet load(const std::filesystem::path& dir);

    const std::vector<Migration>& all() const { return migrations_; }  // ascending version
    const Migration* find(std::int64_t version) const;

private:
    std::vector<Migration> migrations_;
};

}  // namespace pgentry::migrations
