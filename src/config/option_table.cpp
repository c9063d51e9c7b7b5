#include "config/option_table.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace po = boost::program_options;

namespace pgentry::config::detail {
namespace {

const std::vector<std::string> command_line_only = {"help", "version"};

po::typed_value<std::string>* text(const char* value_name) {
    return po::value<std::string>()->value_name(value_name);
}

// "run | migrate-only | ... (default: run)", from the modes table.
const std::string& mode_names() {
    static const std::string names = [] {
        std::string joined;
        for (const ModeRow& row : modes) {
            joined += (joined.empty() ? "" : " | ") + std::string(row.name);
        }
        return joined + " (default: " + std::string(config::row(Options{}.mode).name) + ")";
    }();
    return names;
}

// Every value is kept as text: conversion happens in options.cpp, where a bad value can be reported
// with its source and without echoing a password.
struct Descriptions : po::options_description {
    Descriptions() : po::options_description("Options") {
        // clang-format off
        add_options()
            ("mode", text("MODE"), mode_names().c_str())
            ("database-url", text("URL"), "libpq URI or key=value conninfo (default: $DATABASE_URL, else "
                                          "libpq's PG* variables)")
            ("database-url-file", text("PATH"), "read the URL from a file, e.g. a Docker secret "
                                                "(default: $DATABASE_URL_FILE)")
            ("migrations-dir", text("DIR"), "where the .sql files are (default: ./migrations)")
            ("migrations-table", text("NAME"), "history table, may be schema-qualified "
                                               "(default: schema_migrations)")
            ("lock", text("KIND"), "table | advisory: how concurrent runs are serialized; advisory is "
                                   "refused through a pooler (default: table)")
            ("wait-timeout", text("DURATION"), "how long to wait for the database; 0 = try once "
                                               "(default: 60s)")
            ("lock-timeout", text("DURATION"), "how long to wait for another instance's lock, then exit "
                                               "75; 0 = no limit (default: 0)")
            ("statement-timeout", text("DURATION"), "statement_timeout for migration statements "
                                                    "(default: none)")
            ("ddl-lock-timeout", text("DURATION"), "lock_timeout of each migration statement, then "
                                                   "roll back and retry; 0 = wait forever (default: 5s)")
            ("ddl-retry-timeout", text("DURATION"), "how long to retry statements that get no lock, "
                                                    "then exit 75 (default: 10m)")
            ("migrate-command", text("COMMAND"), "run another tool's migrator (sh -c COMMAND) instead of "
                                                 "the SQL files, in run and migrate-only")
            ("lint", text("POLICY"), "warn | error | off: check pending migrations for rolling-update "
                                     "hazards before applying; error exits 65 on a finding (default: warn)")
            ("launch", text("HOW"), "supervise | exec: stay PID 1, or replace pgentry by the command "
                                    "(default: supervise)")
            ("stop-timeout", text("DURATION"), "SIGKILL the command this long after forwarding SIGTERM, "
                                               "SIGINT or SIGQUIT (SIGHUP is only forwarded); 0 = never "
                                               "(default: 0)")
            ("signal-group", text("BOOL")->implicit_value("true"), "forward signals to the command's "
                                                                   "process group (default: false)")
            ("user", text("USER[:GROUP]"), "drop privileges before starting the command")
            ("to", text("VERSION"), "rollback: revert every migration newer than VERSION, which must be "
                                    "applied (0: revert all)")
            ("steps", text("N"), "rollback: revert the N newest migrations (default: 1)")
            ("log-format", text("FORMAT"), "text | json (default: text)")
            ("log-level", text("LEVEL"), "debug | info | warn | error (default: info)")
            ("config", text("PATH"), "INI file: key = value lines named as the long options")
            ("help,h", "print this help and exit")
            ("version", "print the version and exit");
        // clang-format on
    }
};

}  // namespace

const po::options_description& descriptions() {
    static const Descriptions all;
    return all;
}

bool is_command_line_only(const std::string& name) {
    return std::ranges::find(command_line_only, name) != command_line_only.end();
}

std::string variable_for(const std::string& option) {
    std::string variable = "PGENTRY_" + option;
    std::ranges::transform(variable, variable.begin(), [](char c) {
        return c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return variable;
}

std::string help_text() {
    std::ostringstream help;
    help << "Usage: pgentry [OPTIONS] [--] [COMMAND [ARG...]]\n\n"
            "Waits for PostgreSQL, applies the pending migrations, then runs COMMAND as PID 1.\n"
            "Options end at the first argument that is not one: it and the rest are COMMAND.\n\n"
         << descriptions() << "\nModes:\n";
    for (const ModeRow& row : modes) {
        help << "  " << row.name << std::string(16 - row.name.size(), ' ') << row.help << "\n";
    }
    help << "\nEvery option can also be set by an environment variable PGENTRY_<NAME>\n"
            "(PGENTRY_WAIT_TIMEOUT=30s) or a key in the --config file (wait-timeout = 30s;\n"
            "a line starting with # or ; is a comment), except --help and --version.\n"
            "Precedence: command line > environment > config file > default.\n"
            "DURATION: 500ms, 30s, 2m, 1h or 1.5s; a bare number means seconds.\n"
            "The database URL: --database-url, --database-url-file, PGENTRY_DATABASE_URL(_FILE),\n"
            "DATABASE_URL(_FILE), the config file; else libpq's PG* variables. Leading and\n"
            "trailing blanks of the URL are ignored.\n";
    return help.str();
}

}  // namespace pgentry::config::detail
