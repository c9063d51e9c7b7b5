#include "config/option_sources.hpp"

#include "config/config_file.hpp"
#include "conninfo/redact.hpp"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <map>
#include <sstream>
#include <system_error>

namespace po = boost::program_options;

namespace pgentry::config::detail {
namespace {

const std::vector<std::string> command_line_only = {"help", "version"};

po::typed_value<std::string>* text(const char* value_name) {
    return po::value<std::string>()->value_name(value_name);
}

// Every value is kept as text: conversion happens in options.cpp, where a bad value can be reported
// with its source and without echoing a password.
struct Descriptions : po::options_description {
    Descriptions() : po::options_description("Options") {
        // clang-format off
        add_options()
            ("mode", text("MODE"), "run | migrate-only | wait-only | launch-only | status | verify | "
                                   "rollback (default: run)")
            ("database-url", text("URL"), "libpq URI or key=value conninfo (default: $DATABASE_URL, else "
                                          "libpq's PG* variables)")
            ("database-url-file", text("PATH"), "read the URL from a file, e.g. a Docker secret "
                                                "(default: $DATABASE_URL_FILE)")
            ("migrations-dir", text("DIR"), "where the .sql files are (default: ./migrations)")
            ("migrations-table", text("NAME"), "history table, may be schema-qualified "
                                               "(default: schema_migrations)")
            ("lock", text("KIND"), "table | advisory: how concurrent runs are serialized; advisory is "
                                   "refused through transaction pooling (default: table)")
            ("wait-timeout", text("DURATION"), "how long to wait for the database; 0 = try once "
                                               "(default: 60s)")
            ("lock-timeout", text("DURATION"), "how long to wait for another instance's lock, then exit "
                                               "75; 0 = no limit (default: 0)")
            ("statement-timeout", text("DURATION"), "statement_timeout for migration statements "
                                                    "(default: none)")
            ("migrate-command", text("COMMAND"), "run another tool's migrator (sh -c COMMAND) instead of "
                                                 "the SQL files, in run and migrate-only")
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

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The option a typo most likely meant, formatted by spell ("--x", "PGENTRY_X", "x"), as a message suffix.
template <class Spell>
std::string suggestion(const std::string& name, bool on_command_line, Spell spell) {
    // Two typos in a long name, none in a name too short to tell ("-x" is not a typo of "--to").
    const std::size_t max_typos = std::min<std::size_t>(2, name.size() / 3);
    std::string best;
    std::size_t best_distance = max_typos + 1;
    for (const auto& option : descriptions().options()) {
        const std::string& candidate = option->long_name();
        const std::size_t distance = edit_distance(name, candidate);
        if (distance < best_distance && (on_command_line || !is_command_line_only(candidate))) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best.empty() ? "" : " (did you mean " + spell(best) + "?)";
}

// Options end at the first argument that is not one: it and everything after it are the command,
// even "-c" in "pgentry /bin/sh -c 'echo hi'". position_key INT_MAX is how program_options marks
// what follows "--"; it keeps an option with an implicit value (--signal-group) from taking the
// command's first word as its value.
// An empty argument is left to program_options: it also runs this parser on a detached value
// ("--user ''") and then looks the value up as an option name, which "" matches ambiguously.
std::vector<po::option> command_starts(std::vector<std::string>& args) {
    const std::string& first = args.front();
    if (first.empty() || (first.starts_with('-') && first != "-")) {
        return {};
    }
    std::vector<po::option> command;
    for (std::string& arg : args) {
        po::option word;
        word.original_tokens.push_back(arg);
        word.value.push_back(std::move(arg));
        word.position_key = INT_MAX;
        command.push_back(std::move(word));
    }
    args.clear();
    return command;
}

std::string syntax_message(const po::invalid_command_line_syntax& error) {
    switch (error.kind()) {
    case po::invalid_syntax::missing_parameter:
    case po::invalid_syntax::empty_adjacent_parameter:
        return shown(error.get_option_name()) + ": missing value";
    case po::invalid_syntax::extra_parameter: return error.get_option_name() + " takes no value";
    default: return shown(error.what());
    }
}

po::parsed_options parse_command_line(const std::vector<std::string>& args) {
    namespace style = po::command_line_style;
    try {
        return po::command_line_parser(args)
            .options(descriptions())
            .style(style::default_style & ~style::allow_guessing)
            .extra_style_parser(command_starts)
            .run();
    } catch (const po::unknown_option& error) {
        // The token may be "--database-ur=postgres://u:secret@h": name the option, never its value.
        const std::string token = error.get_option_name();
        const std::string option = token.substr(0, token.find('='));
        const std::string name = option.substr(std::min(option.find_first_not_of('-'), option.size()));
        throw usage_error("unknown option " + shown(option) +
                          suggestion(name, true, [](const std::string& o) { return "--" + o; }));
    } catch (const po::invalid_command_line_syntax& error) {
        throw usage_error(syntax_message(error));
    } catch (const po::error& error) {
        throw usage_error(shown(error.what()));
    }
}

void reject_repeats(const po::parsed_options& parsed,
                    const std::function<std::string(const std::string&)>& origin, const std::string& where) {
    std::map<std::string, std::string> seen;
    for (const po::option& option : parsed.options) {
        if (option.string_key.empty()) {
            continue;
        }
        const std::string value = option.value.empty() ? "" : option.value.front();
        const auto [first, inserted] = seen.emplace(option.string_key, value);
        if (!inserted) {
            throw usage_error(origin(option.string_key) + " is given twice" + where + " ('" +
                              shown(first->second) + "', then '" + shown(value) + "')");
        }
    }
}

// program_options takes "--mode --lock=advisory" as mode "--lock=advisory"; almost surely the value was
// forgotten. A value that starts with '-' can still be given as --mode=-x.
void reject_options_as_values(const po::parsed_options& parsed) {
    for (const po::option& option : parsed.options) {
        const bool detached = option.original_tokens.size() == 2 && !option.value.empty();
        if (detached && option.value.front().starts_with('-') && option.value.front() != "-") {
            throw usage_error("--" + option.string_key + ": missing value (the next argument '" +
                              shown(option.value.front()) + "' is an option; write --" + option.string_key +
                              "=VALUE for a value that starts with '-')");
        }
    }
}

// po::parse_environment reads environ; parse() is handed its environment (tests pass their own),
// so environ points at that map for the duration of the call.
class EnvironOverride {
public:
    explicit EnvironOverride(const Environment& env) : saved_(environ) {
        for (const auto& [name, value] : env) {
            entries_.push_back(name + "=" + value);
        }
        for (std::string& entry : entries_) {
            pointers_.push_back(entry.data());
        }
        pointers_.push_back(nullptr);
        environ = pointers_.data();
    }
    ~EnvironOverride() { environ = saved_; }
    EnvironOverride(const EnvironOverride&) = delete;
    EnvironOverride& operator=(const EnvironOverride&) = delete;

private:
    char** saved_;
    std::vector<std::string> entries_;
    std::vector<char*> pointers_;
};

// PGENTRY_WAIT_TIMEOUT -> "wait-timeout"; "" for the variables pgentry does not read.
std::string option_for_variable(const std::string& variable) {
    constexpr std::string_view prefix = "PGENTRY_";
    if (!variable.starts_with(prefix) || variable == prefix || variable == "PGENTRY_VERSION") {
        return "";
    }
    std::string name = variable.substr(prefix.size());
    std::ranges::transform(name, name.begin(), [](char c) {
        return c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    if (is_command_line_only(name)) {
        throw usage_error(variable + ": --" + name + " is accepted only on the command line");
    }
    if (descriptions().find_nothrow(name, false) == nullptr || variable_for(name) != variable) {
        throw usage_error("unknown environment variable " + variable + suggestion(name, false, variable_for));
    }
    return name;
}

po::parsed_options parse_environment(const Environment& env) {
    const EnvironOverride override(env);
    return po::parse_environment(descriptions(), option_for_variable);
}

// Unknown keys and those the config file may not set are refused here, with their line: program_options
// then gets only the options it knows, as its own config parser would have handed them over.
po::parsed_options parse_config_text(const std::string& text, const std::string& file) {
    po::parsed_options parsed(&descriptions());
    for (ConfigEntry& entry : read_config_entries(text, file)) {
        const std::string& key = entry.key;
        const std::string where = file + ", line " + std::to_string(entry.line) + ": ";
        if (descriptions().find_nothrow(key, false) == nullptr) {
            throw usage_error(where + "unknown key '" + shown(key) + "'" +
                              suggestion(key, false, [](const std::string& o) { return o; }));
        }
        if (is_command_line_only(key)) {
            throw usage_error(where + "key '" + key + "' is accepted only on the command line (--" + key +
                              ")");
        }
        if (key == "config") {
            throw usage_error(where + "key 'config' cannot name another config file");
        }
        po::option option(key, {entry.value});
        option.original_tokens = {key, entry.value};
        parsed.options.push_back(std::move(option));
    }
    return parsed;
}

}  // namespace

Sources::Sources(const std::vector<std::string>& args) {
    const po::parsed_options parsed = parse_command_line(args);
    reject_options_as_values(parsed);
    const auto option = [](const std::string& name) { return "--" + name; };
    reject_repeats(parsed, option, " on the command line");
    po::store(parsed, command_line_);
    for (const po::option& option : parsed.options) {
        if (option.string_key.empty()) {
            command_.push_back(option.value.front());
        }
    }
}

void Sources::read_environment(const Environment& env) {
    po::store(parse_environment(env), environment_);
}

void Sources::read_config_file(const Setting& path) {
    if (path.value.empty()) {
        throw usage_error(path.origin + ": empty path");
    }
    config_path_ = path.value;
    const std::string file = "config file " + shown(path.value);
    std::string text;
    try {
        text = read_file(config_path_);
    } catch (const std::system_error& error) {
        throw usage_error(path.origin + ": cannot read config file " + shown(path.value) + ": " +
                          error.code().message());
    }
    const po::parsed_options parsed = parse_config_text(text, file);
    const auto key = [this](const std::string& name) { return origin(Source::config_file, name); };
    reject_repeats(parsed, key, "");
    po::store(parsed, config_file_);
}

bool Sources::on_command_line(const std::string& name) const {
    return command_line_.count(name) > 0;
}

std::optional<Setting> Sources::get(Source source, const std::string& name) const {
    const po::variables_map& values = source == Source::command_line  ? command_line_
                                      : source == Source::environment ? environment_
                                                                      : config_file_;
    if (values.count(name) == 0) {
        return std::nullopt;
    }
    return Setting{values[name].as<std::string>(), origin(source, name)};
}

std::vector<Setting> Sources::settings(const std::string& name) const {
    std::vector<Setting> found;
    for (const Source source : {Source::command_line, Source::environment, Source::config_file}) {
        if (auto setting = get(source, name)) {
            found.push_back(std::move(*setting));
        }
    }
    return found;
}

std::string Sources::origin(Source source, const std::string& name) const {
    if (source == Source::command_line) {
        return "--" + name;
    }
    if (source == Source::environment) {
        return variable_for(name);
    }
    return "config file " + shown(config_path_.string()) + ", key " + name;
}

std::string shown(const std::string& value) {
    std::string whole = conninfo::redact_conninfo(value);
    const std::size_t equals = value.find('=');
    if (whole != value || equals == std::string::npos) return whole;
    // An argument quoted whole may be "--option=VALUE" (a mistyped option, the word after a valueless
    // --mode), whose VALUE may be a conninfo with a password: masked the same way.
    return value.substr(0, equals + 1) + conninfo::redact_conninfo(value.substr(equals + 1));
}

std::string help_text() {
    std::ostringstream help;
    help << "Usage: pgentry [OPTIONS] [--] [COMMAND [ARG...]]\n\n"
            "Waits for PostgreSQL, applies the pending migrations, then runs COMMAND as PID 1.\n"
            "Options end at the first argument that is not one: it and the rest are COMMAND.\n\n"
         << descriptions()
         << "\nEvery option can also be set by an environment variable PGENTRY_<NAME>\n"
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
