#pragma once
// Every migration in a directory, validated before the database is touched.
#include <filesystem>
#include <vector>

#include "migrations/migration.hpp"

namespace pgentry::migrations {

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
