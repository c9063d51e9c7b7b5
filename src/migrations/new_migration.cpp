#include "migrations/new_migration.hpp"

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <string>
#include <system_error>

#include "common/error.hpp"
#include "conninfo/redact.hpp"
#include "migrations/migration.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::migrations {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view body = "-- migrate:up\n\n\n-- migrate:down\n\n";

// The same rule the loader applies to the files it reads, so that what new writes always loads; and a file
// name the file system takes (NAME_MAX bytes): a NAME too long is the user's input, 64, not a failed write.
void require_valid_name(std::string_view name) {
    if (!parse_file_name("1_" + std::string(name) + ".sql")) {
        throw Error(exit_code::usage, "--mode=new: invalid NAME '" + conninfo::shown(name) +
                                          "': expected one or more letters, digits, '_' or '-'");
    }
    constexpr std::size_t longest = NAME_MAX - std::string_view("YYYYMMDDHHMMSS_.sql").size();
    if (name.size() > longest) {
        throw Error(exit_code::usage, "--mode=new: NAME is " + std::to_string(name.size()) +
                                          " characters long; at most " + std::to_string(longest) +
                                          " fit in a file name");
    }
}

std::set<std::int64_t> used_versions(const fs::path& dir) {
    std::set<std::int64_t> versions;
    for (const std::string& name : list_sql_files(dir)) {
        if (const auto file_name = parse_file_name(name)) {
            versions.insert(file_name->version);
        }
    }
    return versions;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};

// Opens path for writing only when no file has that name; nullptr with errno EEXIST when one has.
std::unique_ptr<std::FILE, FileCloser> create_exclusively(const fs::path& path) {
    return std::unique_ptr<std::FILE, FileCloser>(std::fopen(path.c_str(), "wx"));
}

}  // namespace

std::int64_t timestamp_version(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char digits[sizeof "YYYYMMDDHHMMSS"];
    std::strftime(digits, sizeof digits, "%Y%m%d%H%M%S", &utc);
    return std::stoll(digits);
}

fs::path create_migration(const fs::path& dir, std::string_view name,
                          std::chrono::system_clock::time_point now) {
    require_valid_name(name);
    const std::set<std::int64_t> taken = used_versions(dir);
    for (auto when = std::chrono::floor<std::chrono::seconds>(now);; when += std::chrono::seconds(1)) {
        const std::int64_t version = timestamp_version(when);
        if (taken.contains(version)) {
            continue;
        }
        fs::path path = dir / (std::to_string(version) + "_" + std::string(name) + ".sql");
        auto file = create_exclusively(path);
        if (!file && errno == EEXIST) {
            continue;  // another run took this second after the listing
        }
        if (!file || std::fwrite(body.data(), 1, body.size(), file.get()) != body.size() ||
            std::fclose(file.release()) != 0) {
            const std::string reason = std::strerror(errno);
            std::error_code ignored;
            fs::remove(path, ignored);  // no half-written migration left behind
            throw Error(exit_code::no_input,
                        conninfo::shown(path.string()) + ": cannot create the migration: " + reason);
        }
        return path;
    }
}

}  // namespace pgentry::migrations
