#pragma once
// The other tools' migrators of tests/migrators (Django, Alembic, dbmate), as the tests run them: alone, or
// as pgentry's --migrate-command. Each fixture leaves its own history table and one seed row per data
// migration, so that a migration run twice shows (a second seed row, a duplicate history row).
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "database.hpp"
#include "pgentry.hpp"

namespace pgentry::test {

struct MigratorTool {
    std::string name;       // django, alembic, dbmate: the argument of tests/migrators/migrate
    std::string state_sql;  // one text value: the history rows (total/distinct) and the seed rows
    std::string migrated;   // state_sql's value once every migration ran exactly once
};

// The three fixtures; their programs are Debian's python3-django, python3-alembic and npm's @dbmate/linux-x64
// (bench/package.json), installed by scripts/install-deps.sh test.
std::vector<MigratorTool> migrator_tools();

// The value of --migrate-command that runs the fixture: "<source>/tests/migrators/migrate NAME".
std::string migrator_command(const MigratorTool& tool);

// The fixture's migrator run alone against url (env DATABASE_URL=url ...), as `migrate && server` would.
Args migrator_alone(const MigratorTool& tool, const std::string& url);

// state_sql's value on db, or "no state: <the server's message>" when the tool left no history table.
std::string migrator_state(TestDatabase& db, const MigratorTool& tool);

// Test names say the tool's name.
void PrintTo(const MigratorTool& tool, std::ostream* os);

// Replicas released together per round; rounds of a race whose outcome is asserted, and of one only recorded
// (8 Python interpreters per round: the recorded races stay cheap).
constexpr int race_replicas = 8;
constexpr int asserted_race_rounds = 5;
constexpr int recorded_race_rounds = 3;

// rounds rounds, each on a fresh database: race_replicas copies of replica(database) released at the
// same instant (killed after 120 s), the round reported (RecordProperty "<what> round N" and a line on
// stdout: replicas started, exited 0, the other exit codes, a failure's last stderr line, the state after),
// then check(database, results) for the test's own assertions, under SCOPED_TRACE("round N").
void race(const std::string& what, const MigratorTool& tool, int rounds,
          const std::function<Args(const TestDatabase&)>& replica,
          const std::function<void(TestDatabase&, const std::vector<RunResult>&)>& check);

}  // namespace pgentry::test
