#pragma once
// Every mode in one table (SPEC.md, "Modes"), as Ninja keeps its tools in one list of {name, desc, when,
// func}: the parser, --help, the static front and the migrator read what a mode does from its row. The
// database action of each mode is the migrator's (entrypoint/migrator_main.cpp, keyed by the same enum), so
// that this file, which pgentry's static front includes, stays free of libpq.
//
// A new mode: one enumerator and one row here, one action in migrator_main.cpp (a database action, run after
// the wait, or, for a mode whose row does not wait, an action that does the mode's whole work without one).
#include <cstddef>
#include <string_view>

namespace pgentry::config {

// The rows of `modes` are in this order.
enum class Mode { run, migrate_only, wait_only, launch_only, status, verify, rollback, lint, new_migration };

// What the arguments after the options are.
enum class Operands {
    none,     // none taken: the migrator warns that it ignores them
    command,  // COMMAND [ARG...], required (64 without)
    name,     // exactly one NAME (64 otherwise)
};

struct ModeRow {
    Mode mode;
    std::string_view name;   // --mode's value
    std::string_view help;   // one line for --help
    Operands operands;       // what follows the options
    bool waits;              // connects to the database (and waits for it) before its action
    bool reads_migrations;   // loads --migrations-dir
    bool launches;           // hands over to the command when its action returns 0
    bool from_static_front;  // pgentry hands over itself, without pgentry-migrator (unless --user is given)
};

inline constexpr ModeRow modes[] = {
    // clang-format off
    // mode                name            help                                                   operands           waits  reads  launch front
    {Mode::run,           "run",          "wait, migrate, then launch COMMAND",                  Operands::command, true,  true,  true,  false},
    {Mode::migrate_only,  "migrate-only", "wait and migrate, then exit",                         Operands::none,    true,  true,  false, false},
    {Mode::wait_only,     "wait-only",    "wait for the database, then exit",                    Operands::none,    true,  false, false, false},
    {Mode::launch_only,   "launch-only",  "launch COMMAND at once: a plain init, like tini",      Operands::command, false, false, true,  true},
    {Mode::status,        "status",       "print every migration's state to stdout",             Operands::none,    true,  true,  false, false},
    {Mode::verify,        "verify",       "exit 0 when all is applied, 1 when some are pending", Operands::none,    true,  true,  false, false},
    {Mode::rollback,      "rollback",     "run the down sections of the newest migrations",      Operands::none,    true,  true,  false, false},
    {Mode::lint,          "lint",         "check every file for rolling-update hazards, no DB",  Operands::none,    false, false, false, false},
    {Mode::new_migration, "new",          "create <UTC timestamp>_NAME.sql with both markers",   Operands::name,    false, false, false, false},
    // clang-format on
};
inline constexpr std::size_t mode_count = std::size(modes);

constexpr const ModeRow& row(Mode mode) {
    return modes[static_cast<std::size_t>(mode)];
}

// The rows are indexed by the enum: a row out of place would give a mode another mode's behaviour.
constexpr bool rows_in_enum_order() {
    for (std::size_t i = 0; i < mode_count; ++i) {
        if (static_cast<std::size_t>(modes[i].mode) != i) {
            return false;
        }
    }
    return true;
}
static_assert(rows_in_enum_order(), "config::modes must list the modes in the order of enum Mode");

}  // namespace pgentry::config
