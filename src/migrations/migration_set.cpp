#include "migrations/migration_set.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <system_error>
#include <utility>

#include "common/error.hpp"
#include "common/file.hpp"
#include "conninfo/redact.hpp"

namespace pgentry::migrations {
namespace fs = std::filesystem;

namespace {

using File = MigrationDirectory::File;

[[noreturn]] void fail_input(const fs::path& path, const std::string& what) {
    // The directory is --migrations-dir's value, which may be a database URL given by mistake.
    throw Error(exit_code::no_input, conninfo::shown(path.string()) + ": " + what);
}

// Opens dir once: its files are then read relative to it (common/file.hpp).
Directory open_directory(const fs::path& dir) {
    try {
        return Directory(dir);
    } catch (const std::system_error& error) {
        const int code = error.code().value();
        std::error_code ec;
        if (code == ENOENT || (code == ENOTDIR && !fs::exists(dir, ec))) {
            fail_input(dir, "migrations directory does not exist");
        }
        if (code == ENOTDIR) {
            fail_input(dir, "migrations directory is not a directory");
        }
        fail_input(dir, "cannot read migrations directory: " + error.code().message());
    }
}

std::vector<std::string> sql_file_names(const fs::path& dir, Directory& directory) {
    std::vector<std::string> names;
    try {
        names = directory.file_names();
    } catch (const std::system_error& error) {
        fail_input(dir, "cannot read migrations directory: " + error.code().message());
    }
    std::erase_if(names,
                  [](const std::string& name) { return name.starts_with('.') || !name.ends_with(".sql"); });
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<File> parse_file_names(const fs::path& dir, const std::vector<std::string>& file_names) {
    std::vector<File> files;
    files.reserve(file_names.size());
    for (const std::string& file_name : file_names) {
        auto name = parse_file_name(file_name);
        if (!name) {
            throw Error(exit_code::invalid_set,
                        (dir / file_name).string() +
                            ": file name is not <VERSION>_<NAME>.sql (VERSION: 1 to 18 digits, "
                            "NAME: letters, digits, '_' or '-')");
        }
        files.push_back({std::move(*name), file_name});
    }
    std::stable_sort(files.begin(), files.end(),
                     [](const File& a, const File& b) { return a.name.version < b.name.version; });
    return files;
}

void reject_duplicates(const fs::path& dir, const std::vector<File>& sorted) {
    const auto same_version = [](const File& a, const File& b) { return a.name.version == b.name.version; };
    if (auto it = std::adjacent_find(sorted.begin(), sorted.end(), same_version); it != sorted.end()) {
        throw Error(exit_code::invalid_set, "duplicate version " + std::to_string(it->name.version) + ": " +
                                                (dir / it->file_name).string() + " and " +
                                                (dir / std::next(it)->file_name).string());
    }
}

std::string read_file(const Directory& directory, const fs::path& path, const std::string& file_name) {
    try {
        if (auto content = directory.read_regular_file(file_name)) {
            return std::move(*content);
        }
    } catch (const std::system_error& error) {
        fail_input(path, "cannot read: " + error.code().message());
    }
    fail_input(path, "not a regular file");
}

}  // namespace

std::vector<std::string> list_sql_files(const fs::path& dir) {
    Directory directory = open_directory(dir);
    return sql_file_names(dir, directory);
}

MigrationDirectory::MigrationDirectory(fs::path path, Directory directory, std::vector<File> files)
    : path_(std::move(path)), directory_(std::move(directory)), files_(std::move(files)) {}

MigrationDirectory MigrationDirectory::open(const fs::path& dir) {
    Directory directory = open_directory(dir);
    std::vector<File> files = parse_file_names(dir, sql_file_names(dir, directory));
    reject_duplicates(dir, files);
    return {dir, std::move(directory), std::move(files)};
}

MigrationSet MigrationSet::read(const MigrationDirectory& directory) {
    MigrationSet set;
    set.migrations_.reserve(directory.files_.size());
    for (const File& file : directory.files_) {
        fs::path path = directory.path_ / file.file_name;
        std::string body = read_file(directory.directory_, path, file.file_name);
        set.migrations_.push_back(parse_migration(file.name, path, body));
    }
    return set;
}

MigrationSet MigrationSet::load(const fs::path& dir) {
    return read(MigrationDirectory::open(dir));
}

const Migration* MigrationSet::find(std::int64_t version) const {
    const auto it = std::lower_bound(migrations_.begin(), migrations_.end(), version,
                                     [](const Migration& m, std::int64_t v) { return m.version < v; });
    return it != migrations_.end() && it->version == version ? &*it : nullptr;
}

}  // namespace pgentry::migrations
