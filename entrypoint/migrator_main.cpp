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
    db::EventLoop loop;
    db::Connection session = db::wait_for_database(loop, params, options.wait_timeout);
    pipeline::Target target{loop, params, session,
                            db::History(db::TableName::parse(options.migrations_table)),
                            options.wait_timeout};
    switch (options.mode) {
    case Mode::run:
    case Mode::migrate_only:
        if (options.migrate_command) {
            pipeline::run_migrate_command(target, options);
        } else {
            pipeline::migrate(target, set, options);
        }
        break;
    case Mode::status: pipeline::print_status(target, set, std::cout); break;
    case Mode::verify: return pipeline::verify(target, set);
    case Mode::rollback: pipeline::rollback(target, set, options); break;
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
