#include "migrations/migration_set.hpp"

#include <algorithm>
#include <iterator>
#include <system_error>

#include "common/error.hpp"
#include "common/file.hpp"

namespace pgentry::migrations {
namespace fs = std::filesystem;

namespace {

struct Candidate {
    FileName name;
    fs::path path;
};

[[noreturn]] void fail_input(const fs::path& path, const std::string& what) {
    throw Error(exit_code::no_input, path.string() + ": " + what);
}

void require_directory(const fs::path& dir) {
    std::error_code ec;
    const fs::file_status status = fs::status(dir, ec);
    if (status.type() == fs::file_type::not_found) {
        fail_input(dir, "migrations directory does not exist");
    }
    if (ec) {
        fail_input(dir, "cannot read migrations directory: " + ec.message());
    }
    if (!fs::is_directory(status)) {
        fail_input(dir, "migrations directory is not a directory");
    }
}

bool is_candidate(const fs::directory_entry& entry) {
    const std::string file_name = entry.path().filename().string();
    if (file_name.starts_with('.') || !file_name.ends_with(".sql")) {
        return false;
    }
    std::error_code ec;  // an entry that cannot be inspected is kept, so that reading it reports why
    return !entry.is_directory(ec);
}

std::vector<Candidate> name_candidates(const std::vector<fs::path>& paths) {
    std::vector<Candidate> candidates;
    for (const fs::path& path : paths) {
        auto name = parse_file_name(path.filename().string());
        if (!name) {
            throw Error(exit_code::invalid_set,
                        path.string() +
                            ": file name is not <VERSION>_<NAME>.sql (VERSION: 1 to 18 digits, "
                            "NAME: letters, digits, '_' or '-')");
        }
        candidates.push_back({std::move(*name), path});
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate& a, const Candidate& b) { return a.name.version < b.name.version; });
    return candidates;
}

void reject_duplicates(const std::vector<Candidate>& sorted) {
    const auto same_version = [](const Candidate& a, const Candidate& b) {
        return a.name.version == b.name.version;
    };
    if (auto it = std::adjacent_find(sorted.begin(), sorted.end(), same_version); it != sorted.end()) {
        throw Error(exit_code::invalid_set, "duplicate version " + std::to_string(it->name.version) + ": " +
                                                it->path.string() + " and " + std::next(it)->path.string());
    }
}

std::string read_file(const fs::path& path) {
    try {
        if (auto content = read_regular_file(path)) {
            return std::move(*content);
        }
    } catch (const std::system_error& error) {
        fail_input(path, "cannot read: " + error.code().message());
    }
    fail_input(path, "not a regular file");
}

}  // namespace

std::vector<fs::path> list_sql_files(const fs::path& dir) {
    require_directory(dir);
    std::vector<fs::path> paths;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (is_candidate(*it)) {
            paths.push_back(it->path());
        }
    }
    if (ec) {
        fail_input(dir, "cannot read migrations directory: " + ec.message());
    }
    std::sort(paths.begin(), paths.end());
    return paths;
}

MigrationSet MigrationSet::load(const fs::path& dir) {
    const std::vector<Candidate> candidates = name_candidates(list_sql_files(dir));
    reject_duplicates(candidates);
    MigrationSet set;
    set.migrations_.reserve(candidates.size());
    for (const Candidate& candidate : candidates) {
        set.migrations_.push_back(parse_migration(candidate.name, candidate.path, read_file(candidate.path)));
    }
    return set;
}

const Migration* MigrationSet::find(std::int64_t version) const {
    const auto it = std::lower_bound(migrations_.begin(), migrations_.end(), version,
                                     [](const Migration& m, std::int64_t v) { return m.version < v; });
    return it != migrations_.end() && it->version == version ? &*it : nullptr;
}

}  // namespace pgentry::migrations
