#include "pipeline/plan.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "common/error.hpp"
#include "log/log.hpp"

namespace pgentry::pipeline {

Plan make_plan(const migrations::MigrationSet& set, const std::vector<db::AppliedMigration>& applied) {
    std::unordered_map<std::int64_t, const db::AppliedMigration*> by_version;
    for (const auto& row : applied) {
        by_version.emplace(row.version, &row);
    }

    Plan plan;
    for (const auto& migration : set.all()) {
        auto row = by_version.find(migration.version);
        if (row == by_version.end()) {
            plan.pending.push_back(&migration);
        } else if (row->second->checksum && *row->second->checksum != migration.checksum) {
            plan.changed.push_back(&migration);
        }
    }
    for (const auto& row : applied) {
        if (!set.find(row.version)) {
            plan.missing_files.push_back(row.version);
        }
    }
    return plan;
}

void refuse_changed(const Plan& plan) {
    if (plan.changed.empty()) {
        return;
    }
    std::string files;
    for (const auto* migration : plan.changed) {
        files += fmt::format("{}{} (version {})", files.empty() ? "" : ", ", migration->path.string(),
                             migration->version);
    }
    throw Error(
        exit_code::invalid_set,
        "applied migrations changed since they were applied (their up section's checksum differs): " + files);
}

void warn_missing(const Plan& plan) {
    for (auto version : plan.missing_files) {
        log::warn(fmt::format("version {} is applied but has no migration file", version),
                  {{"version", version}});
    }
}

}  // namespace pgentry::pipeline
