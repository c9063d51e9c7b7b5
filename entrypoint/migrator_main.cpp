// pgentry-migrator: load config -> wait for the database -> plan -> migrate under lock -> launch the command.
// pgentry execs it in place for every mode that needs the database (entrypoint/main.cpp).
#include <unistd.h>

#include <iostream>

#include "cli/program.hpp"
#include "common/error.hpp"
#include "config/options.hpp"
#include "db/wait.hpp"
#include "launch/handoff.hpp"
#include "launch/identity.hpp"
#include "log/log.hpp"
#include "migrations/migration_set.hpp"
#include "pipeline/inspect.hpp"
#include "pipeline/migrate.hpp"
#include "pipeline/migrate_command.hpp"
#include "pipeline/rollback.hpp"

using namespace pgentry;
using config::Mode;

namespace {

bool launches(Mode mode) {
    return mode == Mode::run || mode == Mode::launch_only;
}
bool reads_migrations(const config::Options& options) {
    return options.mode != Mode::launch_only && options.mode != Mode::wait_only && !options.migrate_command;
}

std::string application_name() {
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    return std::string("pgentry@") + host;
}

// Stages 2-4. Every connection is closed when this returns, before the command starts.
int run_database_stages(const config::Options& options, const migrations::MigrationSet& set) {
    // Every problem libpq has with the URL is a usage error here, before any waiting.
    db::ConnectParams params{db::DatabaseUrl::parse(options.database_url), application_name()};
    const pipeline::MigrationSettings settings{db::TableName::parse(options.migrations_table),
                                               std::string(config::name_of(options.lock)),
                                               options.lock_timeout,
                                               options.statement_timeout,
                                               options.wait_timeout,
                                               options.rollback_steps,
                                               options.rollback_to};
    db::EventLoop loop;
    db::Connection session = db::wait_for_database(loop, params, settings.wait_timeout);
    pipeline::MigrationDatabase database{loop, params, session, db::History(settings.table), settings};
    switch (options.mode) {
    case Mode::run:
    case Mode::migrate_only:
        if (options.migrate_command) {
            pipeline::run_migrate_command(
                database, {*options.migrate_command, options.database_url, options.stop_timeout});
        } else {
            pipeline::migrate(database, set);
        }
        break;
    case Mode::status: pipeline::print_status(database, set, std::cout); break;
    case Mode::verify: return pipeline::verify(database, set);
    case Mode::rollback: pipeline::rollback(database, set); break;
    case Mode::wait_only:
    case Mode::launch_only: break;
    }
    return exit_code::ok;
}

int run(const config::Options& options) {
    if (!launches(options.mode) && !options.command.empty()) {
        log::warn("this mode runs no command; ignoring '" + options.command.front() + "'");
    }
    std::optional<launch::Identity> identity;
    if (options.user && launches(options.mode)) identity = launch::resolve_user(*options.user);
    const auto set = reads_migrations(options) ? migrations::MigrationSet::load(options.migrations_dir)
                                               : migrations::MigrationSet{};
    if (options.mode != Mode::launch_only) {
        if (int code = run_database_stages(options, set); code != exit_code::ok) return code;
    }
    if (launches(options.mode)) launch::hand_over(options, identity);
    return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
    return cli::run(argc, argv, run);
}
