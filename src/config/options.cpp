#include "config/options.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <type_traits>

#include "config/option_sources.hpp"
#include "config/option_table.hpp"
#include "conninfo/redact.hpp"

namespace pgentry::config {
namespace {

using detail::Setting;
using detail::shown;
using detail::Sources;
using detail::usage_error;

using process::Named;

constexpr Named<LockKind> lock_kinds[] = {{"table", LockKind::table}, {"advisory", LockKind::advisory}};
constexpr Named<Launch> launches[] = {{"supervise", Launch::supervise}, {"exec", Launch::exec}};
constexpr Named<bool> booleans[] = {{"true", true}, {"false", false}, {"1", true},  {"0", false},
                                    {"yes", true},  {"no", false},    {"on", true}, {"off", false}};

[[noreturn]] void reject(const Setting& setting, const std::string& expected) {
    throw usage_error(setting.origin + ": expected " + expected + ", got '" + shown(setting.value) + "'");
}

// rows: Named<E> or config::modes, whose member value is the enumerator.
template <class Row, std::size_t N, class E>
E to_enum(const Setting& setting, const Row (&rows)[N], E Row::*value) {
    std::string accepted;
    for (const Row& row : rows) {
        if (row.name == setting.value) {
            return row.*value;
        }
        accepted += (accepted.empty() ? "" : ", ") + std::string(row.name);
    }
    reject(setting, "one of " + accepted);
}

template <class E, std::size_t N>
E to_enum(const Setting& setting, const Named<E> (&names)[N]) {
    return to_enum(setting, names, &Named<E>::value);
}

bool to_bool(const Setting& setting) {
    std::string lower = setting.value;
    std::ranges::transform(lower, lower.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    for (const Named<bool>& named : booleans) {
        if (named.name == lower) {
            return named.value;
        }
    }
    reject(setting, "true or false (also 1/0, yes/no, on/off)");
}

Duration to_duration(const Setting& setting) {
    try {
        return parse_duration(setting.value);
    } catch (const std::invalid_argument& error) {
        // The reason quotes part of the value: scrub the value's own passwords from it too.
        throw usage_error(setting.origin + ": invalid duration '" + shown(setting.value) + "': " +
                          shown(conninfo::scrub(error.what(), conninfo::passwords_in(setting.value))));
    }
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only: from_chars alone would accept "5abc" as 5.
template <class Integer>
std::optional<Integer> to_integer(std::string_view text) {
    Integer value{};
    if (!all_digits(text) ||
        std::from_chars(text.data(), text.data() + text.size(), value).ec != std::errc()) {
        return std::nullopt;
    }
    return value;
}

int to_steps(const Setting& setting) {
    const std::optional<int> steps = to_integer<int>(setting.value);
    if (!steps || *steps <= 0) {
        reject(setting, "a positive number of migrations");
    }
    return *steps;
}

// Migration versions are 1 to 18 digits (SPEC.md, "Migration files"), so they fit a bigint.
std::int64_t to_version(const Setting& setting) {
    constexpr std::size_t max_digits = 18;
    if (setting.value.size() > max_digits || !all_digits(setting.value)) {
        reject(setting, "a migration version (1 to 18 digits)");
    }
    return *to_integer<std::int64_t>(setting.value);
}

bool is_identifier(std::string_view text) {
    const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    return !text.empty() && !std::isdigit(static_cast<unsigned char>(text.front())) &&
           std::ranges::all_of(text, word);
}

// Plain identifiers only: the name reaches SQL text and lock keys, where nothing then needs escaping.
std::string to_table(const Setting& setting) {
    const std::string_view name = setting.value;
    const std::size_t dot = name.find('.');
    const bool valid = dot == std::string_view::npos
                           ? is_identifier(name)
                           : is_identifier(name.substr(0, dot)) && is_identifier(name.substr(dot + 1));
    if (!valid) {
        reject(setting, "NAME or SCHEMA.NAME, each a letter or '_' followed by letters, digits or '_'");
    }
    return setting.value;
}

std::string to_user(const Setting& setting) {
    const std::string_view spec = setting.value;
    const std::size_t colon = spec.find(':');
    const bool valid =
        colon == std::string_view::npos
            ? !spec.empty()
            : colon > 0 && colon + 1 < spec.size() && spec.find(':', colon + 1) == std::string_view::npos;
    if (!valid) {
        reject(setting, "USER or USER:GROUP (names or numeric ids)");
    }
    return setting.value;
}

std::string to_nonempty(const Setting& setting) {
    if (conninfo::trim(setting.value).empty()) {
        reject(setting, "a value");
    }
    return setting.value;
}

// Every value given for name is converted, highest precedence first, so that a bad value is an error
// even where a higher source overrides it.
template <class Convert>
auto convert_all(const Sources& sources, const std::string& name, Convert convert) {
    std::vector<std::invoke_result_t<Convert, const Setting&>> values;
    for (const Setting& setting : sources.settings(name)) {
        values.push_back(convert(setting));
    }
    return values;
}

template <class Target, class Convert>
void assign(Target& target, const Sources& sources, const std::string& name, Convert convert) {
    auto values = convert_all(sources, name, convert);
    if (!values.empty()) {
        target = std::move(values.front());
    }
}

void reject_to_with_steps(const Sources& sources) {
    const std::vector<Setting> to = sources.settings("to");
    const std::vector<Setting> steps = sources.settings("steps");
    if (!to.empty() && !steps.empty()) {
        throw usage_error("--to and --steps cannot be combined (" + to.front().origin + "='" +
                          shown(to.front().value) + "', " + steps.front().origin + "='" +
                          shown(steps.front().value) + "')");
    }
}

// Only rollback reads --to and --steps. Elsewhere they would be silently ignored, and an Ecto user's
// `--mode=migrate-only --to=V` (Ecto's `migrate --to`: up to V) would apply every pending migration.
void reject_rollback_options_elsewhere(const Sources& sources, Mode mode) {
    if (mode == Mode::rollback) {
        return;
    }
    for (const std::string name : {"to", "steps"}) {
        if (const std::vector<Setting> given = sources.settings(name); !given.empty()) {
            throw usage_error(given.front().origin + "='" + shown(given.front().value) +
                              "' is only for --mode=rollback; other modes apply every pending migration");
        }
    }
}

// --migrate-command replaces the SQL files only where pgentry migrates; the other modes read pgentry's own
// history and would silently ignore it.
void reject_migrate_command_elsewhere(const Sources& sources, Mode mode) {
    const std::vector<Setting> given = sources.settings("migrate-command");
    if (given.empty() || mode == Mode::run || mode == Mode::migrate_only) {
        return;
    }
    const Setting chosen = sources.settings("mode").front();  // run is the default: the mode was given
    throw usage_error(given.front().origin + "='" + shown(given.front().value) +
                      "' is only for --mode=run and --mode=migrate-only, not " + chosen.origin + "='" +
                      chosen.value + "'");
}

// The mode's operands (config/modes.hpp): a COMMAND where one is needed, one NAME for --mode=new.
void require_operands(const Sources& sources, const Options& options) {
    if (!options.command.empty() && options.command.front().empty()) {
        throw usage_error("the command's first word is empty ('')");
    }
    const Operands operands = row(options.mode).operands;
    // "pgentry $DATABASE_URL": a database URL where the command goes. No program is named so, and each line
    // about the command (cannot run, debug lines) would print its password.
    if (operands == Operands::command && !options.command.empty() &&
        shown(options.command.front()) != options.command.front()) {
        throw usage_error("the command '" + shown(options.command.front()) +
                          "' is a database URL or conninfo with a password: give it with --database-url or "
                          "DATABASE_URL");
    }
    if (operands == Operands::none || (operands == Operands::command && !options.command.empty())) {
        return;
    }
    const std::vector<Setting> mode = sources.settings("mode");
    const std::string given =
        mode.empty() ? "--mode=run (the default)" : mode.front().origin + "='" + mode.front().value + "'";
    if (operands == Operands::command) {
        throw usage_error(
            "no command given, but " + given +
            " needs one: pgentry [OPTIONS] [--] COMMAND [ARG...]; --mode=migrate-only only migrates");
    }
    if (options.command.size() != 1) {
        throw usage_error(given + " takes one NAME (letters, digits, '_' or '-'), got " +
                          std::to_string(options.command.size()) + " arguments: pgentry --mode=new NAME");
    }
}

Options resolve(const Sources& sources, const Environment& env) {
    Options options;
    // An empty URL or path is an error in every source, although only the winning file is read.
    for (const std::string name : {"database-url", "database-url-file"}) {
        convert_all(sources, name, to_nonempty);
    }
    options.database_url = detail::resolve_database_url(sources, env);
    assign(options.mode, sources, "mode", [](const Setting& s) { return to_enum(s, modes, &ModeRow::mode); });
    assign(options.migrations_dir, sources, "migrations-dir", to_nonempty);
    assign(options.migrations_table, sources, "migrations-table", to_table);
    assign(options.lock, sources, "lock", [](const Setting& s) { return to_enum(s, lock_kinds); });
    assign(options.wait_timeout, sources, "wait-timeout", to_duration);
    assign(options.lock_timeout, sources, "lock-timeout", to_duration);
    assign(options.statement_timeout, sources, "statement-timeout", to_duration);
    assign(options.ddl_lock_timeout, sources, "ddl-lock-timeout", to_duration);
    assign(options.ddl_retry_timeout, sources, "ddl-retry-timeout", to_duration);
    assign(options.migrate_command, sources, "migrate-command", to_nonempty);
    assign(options.lint, sources, "lint", [](const Setting& s) { return to_enum(s, lint::policies); });
    assign(options.launch, sources, "launch", [](const Setting& s) { return to_enum(s, launches); });
    assign(options.stop_timeout, sources, "stop-timeout", to_duration);
    assign(options.signal_group, sources, "signal-group", to_bool);
    assign(options.user, sources, "user", to_user);
    assign(options.rollback_to, sources, "to", to_version);
    assign(options.rollback_steps, sources, "steps", to_steps);
    assign(options.log_format, sources, "log-format", [](const Setting& s) {
        return to_enum(s, process::log_formats, &process::Named<LogFormat>::value);
    });
    assign(options.log_level, sources, "log-level", [](const Setting& s) {
        return to_enum(s, process::log_levels, &process::Named<LogLevel>::value);
    });
    reject_to_with_steps(sources);
    reject_rollback_options_elsewhere(sources, options.mode);
    reject_migrate_command_elsewhere(sources, options.mode);
    options.command = sources.command();
    require_operands(sources, options);
    return options;
}

std::optional<Setting> config_file(const Sources& sources) {
    for (const detail::Source source : {detail::Source::command_line, detail::Source::environment}) {
        if (auto path = sources.get(source, "config")) {
            return path;
        }
    }
    return std::nullopt;
}

// The highest-precedence valid --log-format given, to report a usage error in the format asked for.
LogFormat requested_log_format(const std::vector<std::string>& args, const Environment& env) {
    for (const std::string& value : detail::values_despite_errors(args, env, "log-format")) {
        if (LogFormat format{}; process::parse_name(value, process::log_formats, format)) {
            return format;
        }
    }
    return LogFormat::text;
}

}  // namespace

std::string_view name_of(LockKind kind) {
    return process::name_of(kind, lock_kinds);
}

Parsed parse(const std::vector<std::string>& args, const Environment& env) {
    try {
        Sources sources(args);
        if (sources.on_command_line("help")) {
            return {Options{}, detail::help_text()};
        }
        if (sources.on_command_line("version")) {
            return {Options{}, std::string("pgentry ") + PGENTRY_VERSION + "\n"};
        }
        sources.read_environment(env);
        if (const std::optional<Setting> path = config_file(sources)) {
            sources.read_config_file(*path);
        }
        return {resolve(sources, env), std::nullopt};
    } catch (const Error& error) {
        throw UsageError(error, requested_log_format(args, env));
    }
}

}  // namespace pgentry::config
