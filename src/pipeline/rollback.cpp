#include "pipeline/rollback.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "common/error.hpp"
#include "db/lock.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/step.hpp"

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

// Newest first: --steps=N the N newest, --to=V every one newer than V (V itself stays applied).
std::vector<const migrations::Migration*> select(const std::vector<db::AppliedMigration>& applied,
                                                 const migrations::MigrationSet& set,
                                                 const config::Options& options) {
    if (options.rollback_to) {
        require_applied_target(applied, *options.rollback_to);
    }
    std::vector<std::int64_t> versions;
    // NOLINTNEXTLINE(modernize-loop-convert): clang 14 rejects views::reverse over libstdc++ 12's ranges
    for (auto row = applied.rbegin(); row != applied.rend(); ++row) {
        if (options.rollback_to ? row->version <= *options.rollback_to
                                : static_cast<int>(versions.size()) >= options.rollback_steps) {
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

}  // namespace

void rollback(Target& target, const migrations::MigrationSet& set, const config::Options& options) {
    db::HistoryState state =
        db::with_step(db::reading_history, [&] { return target.history.read(target.session); });
    if (select(state.applied, set, options).empty()) {
        log::info("Nothing to roll back");
        return;
    }
    db::Connection worker = target.open_worker();
    db::Lock lock = target.lock(worker, options);
    const auto applied =
        db::with_step(db::reading_history, [&] { return target.history.read(worker).applied; });
    db::DdlGuard ddl(target.loop, target.params, {options.ddl_lock_timeout, options.ddl_retry_timeout});
    for (const auto* migration : select(applied, set, options)) {
        run_step(worker, target.history, *migration, db::Direction::down, options, lock, ddl);
    }
    db::with_step(db::releasing_lock, [&] { lock.release(); });
}

}  // namespace pgentry::pipeline
