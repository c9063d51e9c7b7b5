#pragma once
// The other tools' migrators of tests/migrators (Django, Alembic, dbmate), as the tests run them: alone, or
// as pgentry's --migrate-command. Each fixture leaves its own history table and one seed row per data
// migration, so that a migration run twice shows (a second seed row, a duplicate history row).
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

// Replicas released together per round, and rounds per race test.
constexpr int race_replicas = 8;
constexpr int race_rounds = 5;

// Reports one round of a race (RecordProperty "<what> round N" and a line on stdout): replicas started,
// exited 0, the other exit codes, the first failure's last stderr line, and the database's state after.
// Returns the number of replicas that exited 0.
int record_race(const std::string& what, int round, const std::vector<RunResult>& results,
                const std::string& state);

}  // namespace pgentry::test
