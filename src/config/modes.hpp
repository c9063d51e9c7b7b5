#pragma once
// Every mode in one table (SPEC.md, "Modes"), as Ninja keeps its tools in one list of {name, desc, when,
// func}: the parser, --help, the static front and the migrator read what a mode does from its row. The
// database action of each mode is the migrator's (entrypoint/migrator_main.cpp, keyed by the same enum), so
// that this file, which pgentry's static front includes, stays free of libpq.
//
// A new mode: one enumerator and one row here, one action in migrator_main.cpp.
#include <cstddef>
#include <string_view>

namespace pgentry::config {

// The rows of `modes` are in this order.
enum class Mode { run, migrate_only, wait_only, launch_only, status, verify, rollback };

struct ModeRow {
    Mode mode;
    std::string_view name;   // --mode's value
    std::string_view help;   // one line for --help
    bool needs_command;      // no COMMAND is a usage error (64)
    bool waits;              // connects to the database (and waits for it) before its action
    bool reads_migrations;   // loads --migrations-dir
    bool launches;           // hands over to the command when its action returns 0
    bool from_static_front;  // pgentry hands over itself, without pgentry-migrator (unless --user is given)
};

inline constexpr ModeRow modes[] = {
    // clang-format off
    // mode               name            help                                                  cmd    waits  reads  launch front
    {Mode::run,          "run",          "wait, migrate, then launch COMMAND",                 true,  true,  true,  true,  false},
    {Mode::migrate_only, "migrate-only", "wait and migrate, then exit",                        false, true,  true,  false, false},
    {Mode::wait_only,    "wait-only",    "wait for the database, then exit",                   false, true,  false, false, false},
    {Mode::launch_only,  "launch-only",  "launch COMMAND at once: a plain init, like tini",     true,  false, false, true,  true},
    {Mode::status,       "status",       "print every migration's state to stdout",            false, true,  true,  false, false},
    {Mode::verify,       "verify",       "exit 0 when all is applied, 1 when some are pending", false, true,  true,  false, false},
    {Mode::rollback,     "rollback",     "run the down sections of the newest migrations",     false, true,  true,  false, false},
    // clang-format on
};
inline constexpr std::size_t mode_count = std::size(modes);

constexpr const ModeRow& row(Mode mode) {
    return modes[static_cast<std::size_t>(mode)];
}

// The rows are indexed by the enum: a row out of place would give a mode another mode's behaviour.
constexpr bool rows_in_enum_order() {
    for (std::size_t i = 0; i < mode_count; ++i) {
        if (static_cast<std::size_t>(modes[i].mode) != i) return false;
    }
    return true;
}
static_assert(rows_in_enum_order(), "config::modes must list the modes in the order of enum Mode");

}  // namespace pgentry::config
