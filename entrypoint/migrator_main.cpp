// pgentry-migrator: load config -> wait for the database -> plan -> migrate under lock -> launch the command.
// pgentry execs it in place for every mode that needs the database (entrypoint/main.cpp).
#include <unistd.h>

#include <iostream>

#include <openssl/crypto.h>

#include "cli/program.hpp"
#include "common/error.hpp"
#include "config/options.hpp"
#include "conninfo/redact.hpp"
#include "db/wait.hpp"
#include "launch/handoff.hpp"
#include "launch/identity.hpp"
#include "lint/lint.hpp"
#include "log/log.hpp"
#include "migrations/migration_set.hpp"
#include "migrations/new_migration.hpp"
#include "pipeline/inspect.hpp"
#include "pipeline/migrate.hpp"
#include "pipeline/migrate_command.hpp"
#include "pipeline/read_ahead.hpp"
#include "pipeline/rollback.hpp"

using namespace pgentry;
using config::Mode;

namespace {

// What stage 4 works from: the SQL files, or another tool's migrator (--migrate-command) in their place.
struct MigrationSource {
    const migrations::MigrationSet& files;
    std::optional<pipeline::MigrateCommand> command;
};

// The database stage of each mode, after waiting (config/modes.hpp has what else each mode does).
using Action = int (*)(pipeline::MigrationDatabase&, const MigrationSource&);
// The whole work of a mode whose row does not wait: no database, nothing launched; returns the exit code.
using OfflineAction = int (*)(const config::Options&);

int migrate(pipeline::MigrationDatabase& database, const MigrationSource& source) {
    if (source.command) {
        pipeline::run_migrate_command(database, *source.command);
    } else {
        pipeline::migrate(database, source.files);
    }
    return exit_code::ok;
}
int status(pipeline::MigrationDatabase& database, const MigrationSource& source) {
    pipeline::print_status(database, source.files, std::cout);
    return exit_code::ok;
}
int verify(pipeline::MigrationDatabase& database, const MigrationSource& source) {
    return pipeline::verify(database, source.files);
}
int rollback(pipeline::MigrationDatabase& database, const MigrationSource& source) {
    pipeline::rollback(database, source.files);
    return exit_code::ok;
}
int none(pipeline::MigrationDatabase&, const MigrationSource&) {
    return exit_code::ok;
}

int lint_files(const config::Options& options) {
    return lint::run_lint_mode(options.migrations_dir, options.log_format, std::cout);
}
int new_migration(const config::Options& options) {
    std::cout << migrations::create_migration(options.migrations_dir, options.command.front(),
                                              std::chrono::system_clock::now())
                     .string()
              << std::endl;
    return exit_code::ok;
}

struct ModeAction {
    Mode mode;
    Action action;          // after the wait (rows that wait)
    OfflineAction offline;  // instead of everything else (rows that do not wait and do work), or nullptr
};
constexpr ModeAction actions[] = {
    // clang-format off
    {Mode::run,           migrate,  nullptr},
    {Mode::migrate_only,  migrate,  nullptr},
    {Mode::wait_only,     none,     nullptr},
    {Mode::launch_only,   none,     nullptr},
    {Mode::status,        status,   nullptr},
    {Mode::verify,        verify,   nullptr},
    {Mode::rollback,      rollback, nullptr},
    {Mode::lint,          none,     lint_files},
    {Mode::new_migration, none,     new_migration},
    // clang-format on
};

constexpr bool one_action_per_mode() {
    if (std::size(actions) != config::mode_count) {
        return false;
    }
    for (std::size_t i = 0; i < std::size(actions); ++i) {
        if (actions[i].mode != config::modes[i].mode) {
            return false;
        }
        // An offline action replaces the wait: a row that waits would never reach its database action.
        if (actions[i].offline != nullptr && config::modes[i].waits) {
            return false;
        }
        // The migration files are read while waiting (run_database_stages).
        if (config::modes[i].reads_migrations && !config::modes[i].waits) {
            return false;
        }
    }
    return true;
}
static_assert(one_action_per_mode(), "every row of config::modes needs its action here, in the same order");

const ModeAction& action(Mode mode) {
    return actions[static_cast<std::size_t>(mode)];
}

std::string application_name() {
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    return std::string("pgentry@") + host;
}

// Stages 2-4. Every connection is closed when this returns, before the command starts.
int connect_and_act(const config::Options& options, pipeline::ReadAhead& files, db::EventLoop& loop) {
    // Every problem libpq has with the URL is a usage error here, before any waiting.
    db::ConnectParams params{db::DatabaseUrl::parse(options.database_url), application_name()};
    const pipeline::MigrationSettings settings{
        .table = db::TableName::parse(options.migrations_table),
        .lock_kind = std::string(config::name_of(options.lock)),
        .lock_timeout = options.lock_timeout,
        .statement_timeout = options.statement_timeout,
        .wait_timeout = options.wait_timeout,
        .lint = options.lint,
        .rollback_steps = options.rollback_steps,
        .rollback_to = options.rollback_to,
        .ddl = {.lock_timeout = options.ddl_lock_timeout, .retry_timeout = options.ddl_retry_timeout},
        .report_format = options.log_format,
    };
    db::Connection session =
        db::wait_for_database(loop, params, settings.wait_timeout, [&files] { files.get(); });
    const MigrationSource source{
        files.get(), options.migrate_command
                         ? std::optional<pipeline::MigrateCommand>(
                               {*options.migrate_command, options.database_url, options.stop_timeout})
                         : std::nullopt};
    pipeline::MigrationDatabase database{loop, params, session, db::History(settings.table), settings};
    return action(options.mode).action(database, source);
}

// The files' bodies are read while stages 2-4 start (pipeline/read_ahead.hpp). Should those fail first (a bad
// URL, a database that refuses, a stop signal), a bad file is still what gets reported, as when every file
// was read before them.
int run_database_stages(const config::Options& options, const migrations::MigrationDirectory* directory) {
    db::EventLoop loop;
    pipeline::ReadAhead files(directory, loop);
    try {
        return connect_and_act(options, files, loop);
    } catch (...) {
        files.get();
        throw;
    }
}

int run(const config::Options& options) {
    const config::ModeRow& mode = config::row(options.mode);
    if (mode.operands == config::Operands::none && !options.command.empty()) {
        log::warn("this mode runs no command; ignoring '" + conninfo::shown(options.command.front()) + "'");
    }
    if (const OfflineAction offline = action(options.mode).offline) {
        return offline(options);
    }
    std::optional<launch::Identity> identity;
    if (options.user && mode.launches) {
        identity = launch::resolve_user(*options.user);
    }
    // The names now, before the database is touched (SPEC.md); the bodies while it is reached.
    std::optional<migrations::MigrationDirectory> directory;
    if (mode.reads_migrations && !options.migrate_command) {
        directory.emplace(migrations::MigrationDirectory::open(options.migrations_dir));
    }
    if (mode.waits) {
        if (int code = run_database_stages(options, directory ? &*directory : nullptr);
            code != exit_code::ok) {
            return code;
        }
    }
    if (mode.launches) {
        launch::hand_over(options, identity);
    }
    return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
    // libcrypto (the checksums, libpq's SCRAM) frees its providers from an atexit handler: 0.4 ms of every
    // exit here, for memory the exit frees anyway (measured). Only its first use in a process can say so.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr);
    return cli::run(argc, argv, run);
}
