#pragma once
// Stage 4 with --migrate-command (SPEC.md "Other migration tools"): another tool's migrator in place of the
// SQL files, run as pgentry-init runs the application server (supervisor::run_to_completion), so that pgentry
// stays the one PID 1 that forwards signals and reaps. schema_migrations is neither created nor read.
#include <chrono>
#include <string>

#include "pipeline/migration_database.hpp"

namespace pgentry::pipeline {

// What --migrate-command reads from the configuration (built by entrypoint/migrator_main.cpp).
struct MigrateCommand {
    std::string command;       // --migrate-command, run as /bin/sh -c COMMAND
    std::string database_url;  // the URL pgentry waited for, as given; empty: libpq's PG* variables chose
    std::chrono::milliseconds stop_timeout{0};  // --stop-timeout; 0: never SIGKILL
};

// Runs `/bin/sh -c COMMAND` in its own process group with pgentry's environment and
// DATABASE_URL set to migrate.database_url (left as inherited when that is empty: libpq's PG* variables,
// which the child inherits too, chose the database), descriptors 0-2 only, stop signals forwarded to its
// group, SIGKILL after --stop-timeout. With --lock=advisory pgentry's advisory lock is taken first (polled,
// never blocking in the server) and held on a second connection until the command has ended; otherwise no
// lock is taken. Returns when the command exited 0. Throws Interrupted(S) when stop signal S reached pgentry
// while it ran (after it ended, whatever its status), Error(70) "migrate command exited with N" or
// "migrate command was killed by signal S (SIGNAME)", and what MigrationDatabase::lock throws.
void run_migrate_command(MigrationDatabase& database, const MigrateCommand& migrate);

}  // namespace pgentry::pipeline
