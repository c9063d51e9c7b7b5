#include "config/option_sources.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <iterator>
#include <map>
#include <system_error>

#include <boost/program_options/parsers.hpp>

#include "config/config_file.hpp"
#include "config/edit_distance.hpp"
#include "config/option_table.hpp"
#include "conninfo/redact.hpp"

namespace po = boost::program_options;

namespace pgentry::config::detail {
namespace {

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

// What po::parse_environment makes of environ, made of the map the caller passes (tests pass their own).
po::parsed_options parse_environment(const Environment& env) {
    po::parsed_options parsed(&descriptions());
    for (const auto& [variable, value] : env) {
        if (const std::string name = option_for_variable(variable); !name.empty()) {
            po::option option;
            option.string_key = name;
            option.value.push_back(value);
            parsed.options.push_back(std::move(option));
        }
    }
    return parsed;
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

// The command line's values of `name`, unknown options skipped; none when it does not parse even so.
std::vector<std::string> command_line_values(const std::vector<std::string>& args, const std::string& name) {
    namespace style = po::command_line_style;
    std::vector<std::string> values;
    try {
        const po::parsed_options parsed = po::command_line_parser(args)
                                              .options(descriptions())
                                              .style(style::default_style & ~style::allow_guessing)
                                              .extra_style_parser(command_starts)
                                              .allow_unregistered()
                                              .run();
        for (const po::option& option : parsed.options) {
            if (option.string_key == name && !option.unregistered && !option.value.empty()) {
                values.push_back(option.value.front());
            }
        }
    } catch (const po::error&) {
        // A value missing or given to a flag: nothing more is to be read from it.
    }
    return values;
}

// The config file's values of `name`, other keys unchecked; none when it cannot be read.
std::vector<std::string> config_file_values(const std::string& path, const std::string& name) {
    std::vector<std::string> values;
    try {
        for (const ConfigEntry& entry : read_config_entries(read_file(path), path)) {
            if (entry.key == name) {
                values.push_back(entry.value);
            }
        }
    } catch (const std::exception&) {
        // Unreadable, or not key = value lines: the error being reported may be that very one.
    }
    return values;
}

}  // namespace

std::vector<std::string> values_despite_errors(const std::vector<std::string>& args, const Environment& env,
                                               const std::string& name) {
    std::vector<std::string> values = command_line_values(args, name);
    if (const auto variable = env.find(variable_for(name)); variable != env.end()) {
        values.push_back(variable->second);
    }
    std::vector<std::string> config = command_line_values(args, "config");
    if (const auto variable = env.find(variable_for("config")); variable != env.end()) {
        config.push_back(variable->second);
    }
    if (!config.empty()) {
        std::ranges::move(config_file_values(config.front(), name), std::back_inserter(values));
    }
    return values;
}

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

}  // namespace pgentry::config::detail
