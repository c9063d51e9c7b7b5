#pragma once
// Internal to src/config: the three places an option can come from (the options themselves:
// option_table.hpp), kept in separate variables_maps
// so that every value can be reported with where it was given.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options/variables_map.hpp>

#include "common/error.hpp"
#include "common/file.hpp"
#include "config/options.hpp"
#include "conninfo/redact.hpp"

namespace pgentry::config::detail {

// Highest precedence first.
enum class Source { command_line, environment, config_file };

// One value of an option and where it was given: "--mode", "PGENTRY_MODE" or
// "config file /etc/pgentry.ini, key mode".
struct Setting {
    std::string value;
    std::string origin;
};

class Sources {
public:
    // args excludes argv[0].
    explicit Sources(const std::vector<std::string>& args);

    void read_environment(const Environment& env);
    // path names the file and where its name came from (--config or PGENTRY_CONFIG).
    void read_config_file(const Setting& path);

    bool on_command_line(const std::string& name) const;
    std::optional<Setting> get(Source source, const std::string& name) const;
    // Every value given for name, highest precedence first.
    std::vector<Setting> settings(const std::string& name) const;
    const std::vector<std::string>& command() const { return command_; }

private:
    std::string origin(Source source, const std::string& name) const;

    boost::program_options::variables_map command_line_;
    boost::program_options::variables_map environment_;
    boost::program_options::variables_map config_file_;
    std::filesystem::path config_path_;
    std::vector<std::string> command_;
};

// Every value given for option `name` (as option_table.hpp names it), highest precedence first, read past
// the errors that stop Sources: unknown options, variables and keys are skipped. Only to report such an
// error in the --log-format asked for: an unknown option must not hide --log-format=json given next to it.
std::vector<std::string> values_despite_errors(const std::vector<std::string>& args, const Environment& env,
                                               const std::string& name);

inline Error usage_error(const std::string& message) {
    return Error(exit_code::usage, message);
}

using conninfo::shown;

// SPEC.md's chain: --database-url, --database-url-file, PGENTRY_DATABASE_URL(_FILE),
// DATABASE_URL(_FILE), the config file's keys; empty when none is set.
std::string resolve_database_url(const Sources& sources, const Environment& env);

}  // namespace pgentry::config::detail
