#include "migrators.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <stdexcept>

#include <gtest/gtest.h>

#include "starting_gate.hpp"

namespace pgentry::test {

std::vector<MigratorTool> migrator_tools() {
    return {
        {.name = "django",
         .state_sql = "SELECT count(*) || '/' || count(DISTINCT (app, name)) || ' seed ' || "
                      "(SELECT count(*) FROM accounts_account WHERE name = 'seed') FROM django_migrations",
         .migrated = "4/4 seed 1"},
        // Alembic keeps only the head revision: the seed row and the column tell that each revision ran once.
        {.name = "alembic",
         .state_sql = "SELECT string_agg(version_num, ',') || ' seed ' || "
                      "(SELECT count(*) FROM items WHERE name = 'seed') || ' price ' || "
                      "(SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass "
                      "AND attname = 'price_cents') FROM alembic_version",
         .migrated = "3c seed 1 price 1"},
        {.name = "dbmate",
         .state_sql = "SELECT count(*) || '/' || count(DISTINCT version) || ' seed ' || "
                      "(SELECT count(*) FROM items WHERE name = 'seed') FROM dbmate_migrations",
         .migrated = "3/3 seed 1"},
    };
}

void PrintTo(const MigratorTool& tool, std::ostream* os) {
    *os << tool.name;
}

std::string migrator_command(const MigratorTool& tool) {
    return std::string(PGENTRY_SOURCE_DIR) + "/tests/migrators/migrate " + tool.name;
}

Args migrator_alone(const MigratorTool& tool, const std::string& url) {
    return {"env", "DATABASE_URL=" + url, std::string(PGENTRY_SOURCE_DIR) + "/tests/migrators/migrate",
            tool.name};
}

std::string migrator_state(TestDatabase& db, const MigratorTool& tool) {
    try {
        return db.sql().scalar(tool.state_sql).value_or("NULL");
    } catch (const std::runtime_error& error) {
        const std::string message = error.what();
        return "no state: " + message.substr(0, message.find('\n'));
    }
}

namespace {

// The last line naming an error (a Python traceback ends in its exception, dbmate says "Error: ..."), else
// the last line.
std::string what_failed(const std::string& err) {
    const auto said = lines(err);
    if (said.empty()) {
        return "(nothing on stderr)";
    }
    const auto named = std::find_if(said.rbegin(), said.rend(), [](const std::string& line) {
        return line.find("Error") != std::string::npos;
    });
    return (named != said.rend() ? *named : said.back()).substr(0, 200);
}

void record_race(const std::string& what, int round, const std::vector<RunResult>& results,
                 const std::string& state) {
    int succeeded = 0;
    std::map<int, int> failures;  // exit code -> replicas
    std::string first_failure;
    for (const auto& result : results) {
        if (result.exit_code == 0) {
            ++succeeded;
            continue;
        }
        ++failures[result.exit_code];
        if (first_failure.empty()) {
            first_failure = what_failed(result.err);
        }
    }
    std::string summary =
        std::to_string(results.size()) + " started, " + std::to_string(succeeded) + " exited 0";
    for (const auto& [code, count] : failures) {
        summary += ", " + std::to_string(count) + " exited " + std::to_string(code);
    }
    summary += "; state after: " + state;
    if (!first_failure.empty()) {
        summary += "; a failure said: " + first_failure;
    }
    const std::string key = what + " round " + std::to_string(round);
    ::testing::Test::RecordProperty(key, summary);
    std::cout << "[ race     ] " << key << ": " << summary << std::endl;
}

}  // namespace

void race(const std::string& what, const MigratorTool& tool, int rounds,
          const std::function<Args(const TestDatabase&)>& replica,
          const std::function<void(TestDatabase&, const std::vector<RunResult>&)>& check) {
    for (int round = 1; round <= rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        TestDatabase fresh;
        const std::vector<Args> commands(race_replicas, replica(fresh));
        const auto results = run_released_together(commands, 120s);
        record_race(what, round, results, migrator_state(fresh, tool));
        check(fresh, results);
    }
}

}  // namespace pgentry::test
