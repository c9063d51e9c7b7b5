#pragma once
// Every migration in a directory, validated before any statement reaches the database: the file names (a
// listing, before the first connection) and then the bodies (read while it is made, pipeline/read_ahead.hpp).
#include <filesystem>
#include <string>
#include <vector>

#include "common/file.hpp"
#include "migrations/migration.hpp"

namespace pgentry::migrations {

// The names of the .sql files of dir that are not hidden, sorted (so that with several bad files the same one
// is reported every time), whatever their names. Throws Error(66) when dir is missing or unreadable.
std::vector<std::string> list_sql_files(const std::filesystem::path& dir);

// A migrations directory whose file names are valid, no file read yet: what can be said from one listing.
class MigrationDirectory {
public:
    // Throws Error(66) when dir is missing or unreadable, Error(65) for a bad name or a duplicate version.
    static MigrationDirectory open(const std::filesystem::path& dir);

    struct File {  // one .sql file of the listing
        FileName name;
        std::string file_name;  // as listed, relative to the directory
    };

private:
    friend class MigrationSet;
    MigrationDirectory(std::filesystem::path path, Directory directory, std::vector<File> files);

    std::filesystem::path path_;
    Directory directory_;
    std::vector<File> files_;  // ascending version
};

class MigrationSet {
public:
    // Reads every file of directory (any thread may). Throws Error(66) for a file that cannot be read or is
    // not a regular file, Error(65) for a bad body.
    static MigrationSet read(const MigrationDirectory& directory);
    // MigrationDirectory::open, then read.
    static MigrationSet load(const std::filesystem::path& dir);

    const std::vector<Migration>& all() const { return migrations_; }  // ascending version
    const Migration* find(std::int64_t version) const;

private:
    std::vector<Migration> migrations_;
};

}  // namespace pgentry::migrations
