#pragma once
// The resolved configuration: command line > PGENTRY_* environment > config file > default.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "config/modes.hpp"
#include "lint/policy.hpp"
#include "process/log_format.hpp"

namespace pgentry::config {

enum class LockKind { table, advisory };
enum class Launch { supervise, exec };
// The one pair all three programs use (process/log_format.hpp).
using process::LogFormat;
using process::LogLevel;
using process::name_of;  // the option values' spelling, as --log-format and --log-level take them

using Duration = std::chrono::milliseconds;
using Environment = std::map<std::string, std::string>;

struct Options {
    Mode mode = Mode::run;
    // libpq URI or key=value conninfo without surrounding whitespace, not yet checked (db::DatabaseUrl
    // does that: pgentry, the static front, has no libpq); empty: libpq's PG* variables and defaults.
    std::string database_url;
    std::filesystem::path migrations_dir = "migrations";
    std::string migrations_table = "schema_migrations";  // validated: ident or schema.ident
    LockKind lock = LockKind::table;
    Duration wait_timeout = std::chrono::seconds(60);  // 0: try once
    Duration lock_timeout{0};                          // 0: no limit
    std::optional<Duration> statement_timeout;
    Duration ddl_lock_timeout = std::chrono::seconds(5);    // lock_timeout of migration statements; 0: none
    Duration ddl_retry_timeout = std::chrono::minutes(10);  // then exit 75
    // Another tool's migrator, run as /bin/sh -c VALUE in place of the SQL files (run and migrate-only only).
    std::optional<std::string> migrate_command;
    lint::Policy lint = lint::Policy::warn;
    Launch launch = Launch::supervise;
    Duration stop_timeout{0};  // 0: never SIGKILL
    bool signal_group = false;
    std::optional<std::string> user;          // USER[:GROUP]
    std::optional<std::int64_t> rollback_to;  // --to
    int rollback_steps = 1;                   // --steps
    LogFormat log_format = LogFormat::text;
    LogLevel log_level = LogLevel::info;
    std::vector<std::string> command;  // COMMAND [ARG...]
};

// What the command line asked for: run with options, or print text (--help, --version) and exit 0.
struct Parsed {
    Options options;
    std::optional<std::string> print;  // written to stdout as is (it ends in a newline)
};

// A usage error, with the log format the user asked for (where it could be read) to report it in.
class UsageError : public Error {
public:
    UsageError(const Error& error, LogFormat format) : Error(error), format_(format) {}
    LogFormat log_format() const { return format_; }

private:
    LogFormat format_;
};

// args excludes argv[0]. Throws pgentry::Error(64) naming the option (or variable, or config key)
// and the value. Reads --database-url-file / DATABASE_URL_FILE files and the --config file (key = value
// lines: config/config_file.hpp).
// Every value given in any source is validated, also one that a higher source overrides: a typo in
// the config file is reported even while the environment masks it. Only the URL file that wins is read.
// A DATABASE_URL / DATABASE_URL_FILE that is empty or blank counts as unset (compose's "${DATABASE_URL}" of
// an unset variable); an empty pgentry option is an error. PGENTRY_VERSION is ignored: images commonly set it
// to pin the download (ENV TINI_VERSION ... is the pattern tini documents); --help and --version
// are command-line only, any other PGENTRY_* variable must name an option.
Parsed parse(const std::vector<std::string>& args, const Environment& env);

// The variables of the process environment that parse reads (PGENTRY_*, DATABASE_URL, DATABASE_URL_FILE), as
// a map: the rest is left out, since copying every variable into it was a tenth of what the static front does
// before launch-only's exec (bench/cases/06).
Environment current_environment();

// The --lock value's spelling.
std::string_view name_of(LockKind kind);

// "500ms", "30s", "2m", "1h", bare number = seconds. Throws std::invalid_argument when malformed or negative.
// A decimal fraction is accepted when the result is a whole number of milliseconds ("1.5s", "0.25m";
// not "0.5ms"). No sign, no spaces, lower-case units, one number and one unit ("1m30s" is an error).
// At most about 146 years, so that adding a duration to a clock in nanoseconds cannot overflow.
Duration parse_duration(std::string_view text);

}  // namespace pgentry::config
