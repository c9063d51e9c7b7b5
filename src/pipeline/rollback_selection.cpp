#include "pipeline/rollback_selection.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"

namespace pgentry::pipeline {

namespace {

// --to=V names where the database ends: an applied version, or 0. Any other V (a digit dropped from a
// timestamp) would be below every version, and roll back the whole history.
void require_applied_target(const std::vector<db::AppliedMigration>& applied, std::int64_t to) {
    const auto is_to = [to](const db::AppliedMigration& row) { return row.version == to; };
    if (to == 0 || std::any_of(applied.begin(), applied.end(), is_to)) {
        return;
    }
    std::vector<std::int64_t> newest;
    for (auto row = applied.rbegin(); row != applied.rend() && newest.size() < 3; ++row) {
        newest.push_back(row->version);
    }
    throw Error(exit_code::invalid_set,
                fmt::format("nothing rolled back: --to={} is not an applied version (--to takes the applied "
                            "version to end at, or 0 to roll back everything); {}",
                            to,
                            newest.empty() ? std::string("no migration is applied")
                                           : fmt::format("the newest applied: {}", fmt::join(newest, ", "))));
}

}  // namespace

std::vector<const migrations::Migration*> select_rollback(const std::vector<db::AppliedMigration>& applied,
                                                          const migrations::MigrationSet& set,
                                                          std::optional<std::int64_t> to, int steps) {
    if (to) {
        require_applied_target(applied, *to);
    }
    // --to=0 is "roll back everything" (SPEC.md), a migration numbered 0 included.
    const bool everything = to == 0;
    std::vector<std::int64_t> versions;
    // NOLINTNEXTLINE(modernize-loop-convert): clang 14 rejects views::reverse over libstdc++ 12's ranges
    for (auto row = applied.rbegin(); row != applied.rend(); ++row) {
        if (to ? !everything && row->version <= *to : static_cast<int>(versions.size()) >= steps) {
            break;
        }
        versions.push_back(row->version);
    }
    std::vector<const migrations::Migration*> selected;
    std::string problems;
    for (auto version : versions) {
        const auto* migration = set.find(version);
        if (!migration) {
            problems += fmt::format("; version {} has no migration file", version);
        } else if (!migration->down) {
            problems += fmt::format("; {} has no '-- migrate:down' section", migration->path.string());
        } else {
            selected.push_back(migration);
        }
    }
    if (!problems.empty()) {
        throw Error(exit_code::invalid_set, "nothing rolled back" + problems);
    }
    return selected;
}

}  // namespace pgentry::pipeline
