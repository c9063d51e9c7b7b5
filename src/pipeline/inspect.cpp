#include "pipeline/inspect.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "common/error.hpp"
#include "db/step.hpp"
#include "log/log.hpp"
#include "pipeline/plan.hpp"

namespace pgentry::pipeline {

namespace {

struct StatusLine {
    std::optional<std::string> name;  // none: the file is missing
    std::string state;
    std::string applied_at;
};

std::map<std::int64_t, StatusLine> status_lines(const migrations::MigrationSet& set,
                                                const std::vector<db::AppliedMigration>& applied) {
    std::map<std::int64_t, StatusLine> lines;
    for (const auto& migration : set.all()) {
        lines[migration.version] = {migration.name, "down", ""};
    }
    for (const auto& row : applied) {
        StatusLine& line = lines[row.version];
        const auto* migration = set.find(row.version);
        line.applied_at = row.inserted_at.value_or("");
        if (!migration) {
            line.state = "file missing";
        } else {
            line.state = row.checksum && *row.checksum != migration->checksum ? "changed" : "up";
        }
    }
    return lines;
}

}  // namespace

void print_status(MigrationDatabase& database, const migrations::MigrationSet& set, std::ostream& out) {
    const auto applied = db::with_step(db::reading_history, [&] {
        return database.history.read(database.session, db::History::InsertedAt::read).applied;
    });
    const auto lines = status_lines(set, applied);
    if (database.settings.report_format == process::LogFormat::json) {
        for (const auto& [version, line] : lines) {
            out << boost::json::serialize(boost::json::object{
                       {"version", version},
                       {"name", line.name ? boost::json::value(*line.name) : boost::json::value(nullptr)},
                       {"state", line.state},
                       {"applied_at", line.applied_at.empty() ? boost::json::value(nullptr)
                                                              : boost::json::value(line.applied_at)}})
                << '\n';
        }
        out.flush();
        return;
    }
    std::size_t name_width = 4;
    for (const auto& [version, line] : lines) {
        name_width = std::max(name_width, line.name.value_or("-").size());
    }
    const std::string row = "{:<18}  {:<" + std::to_string(name_width) + "}  {:<12}  {}";
    auto print = [&](const auto& version, const auto& name, const auto& state, const auto& applied_at) {
        std::string text = fmt::format(fmt::runtime(row), version, name, state, applied_at);
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << '\n';
    };
    print("version", "name", "state", "applied at");
    for (const auto& [version, line] : lines) {
        print(version, line.name.value_or("-"), line.state, line.applied_at);
    }
    out.flush();
}

int verify(MigrationDatabase& database, const migrations::MigrationSet& set) {
    Plan plan = make_plan(set, db::with_step(db::reading_history, [&] {
                              return database.history.read(database.session).applied;
                          }));
    warn_missing(plan);
    refuse_changed(plan);
    if (!plan.pending.empty()) {
        std::string versions;
        for (const auto* migration : plan.pending) {
            versions += fmt::format("{}{}", versions.empty() ? "" : ", ", migration->version);
        }
        log::warn(fmt::format("{} migration(s) pending: {}", plan.pending.size(), versions));
        return exit_code::pending;
    }
    log::info("Migrations already up");
    return exit_code::ok;
}

}  // namespace pgentry::pipeline
