#include "config/options.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace {

using namespace pgentry::config;
using namespace std::chrono_literals;
using Args = std::vector<std::string>;

Options parse_options(const Args& args, const Environment& env = {}) {
    const Parsed parsed = parse(args, env);
    EXPECT_FALSE(parsed.print.has_value());
    return parsed.options;
}

// The message of the usage error that parse must throw (empty when it does not).
std::string usage_error(const Args& args, const Environment& env = {}) {
    try {
        parse(args, env);
    } catch (const pgentry::Error& error) {
        EXPECT_EQ(error.code(), pgentry::exit_code::usage) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "no usage error";
    return "";
}

testing::AssertionResult mentions(const std::string& message, std::initializer_list<std::string_view> parts) {
    for (const std::string_view part : parts) {
        if (message.find(part) == std::string::npos) {
            return testing::AssertionFailure() << "'" << message << "' does not mention '" << part << "'";
        }
    }
    return testing::AssertionSuccess();
}

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pgentry-options-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& content) const {
        std::ofstream(path_ / name) << content;
        return (path_ / name).string();
    }
    std::string path(const std::string& name) const { return (path_ / name).string(); }
    std::string string() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

// --- command line -----------------------------------------------------------------------------

TEST(OptionsCommandLine, DefaultsWithCommand) {
    const Options o = parse_options({"/app/bin/server"});
    EXPECT_EQ(o.mode, Mode::run);
    EXPECT_EQ(o.database_url, "");
    EXPECT_EQ(o.migrations_dir, "migrations");
    EXPECT_EQ(o.migrations_table, "schema_migrations");
    EXPECT_EQ(o.lock, LockKind::table);
    EXPECT_EQ(o.wait_timeout, 60s);
    EXPECT_EQ(o.lock_timeout, 0ms);
    EXPECT_FALSE(o.statement_timeout);
    EXPECT_EQ(o.launch, Launch::supervise);
    EXPECT_EQ(o.stop_timeout, 0ms);
    EXPECT_FALSE(o.signal_group);
    EXPECT_FALSE(o.user);
    EXPECT_FALSE(o.rollback_to);
    EXPECT_EQ(o.rollback_steps, 1);
    EXPECT_EQ(o.log_format, LogFormat::text);
    EXPECT_EQ(o.log_level, LogLevel::info);
    EXPECT_EQ(o.command, Args{"/app/bin/server"});
}

TEST(OptionsCommandLine, FirstPositionalStopsParsing) {
    const Options o =
        parse_options({"--lock=advisory", "/bin/sh", "-c", "echo hi", "--mode=bogus", "--", "-h"});
    EXPECT_EQ(o.lock, LockKind::advisory);
    EXPECT_EQ(o.mode, Mode::run);
    EXPECT_EQ(o.command, (Args{"/bin/sh", "-c", "echo hi", "--mode=bogus", "--", "-h"}));
}

TEST(OptionsCommandLine, DoubleDashStartsCommand) {
    EXPECT_EQ(parse_options({"--lock", "advisory", "--", "--mode", "x"}).command, (Args{"--mode", "x"}));
    EXPECT_EQ(parse_options({"--", "/bin/true"}).command, Args{"/bin/true"});
    EXPECT_EQ(parse_options({"-", "x"}).command, (Args{"-", "x"}));
}

TEST(OptionsCommandLine, ValueInSameOrNextArgument) {
    EXPECT_EQ(parse_options({"--mode", "migrate-only"}).mode, Mode::migrate_only);
    EXPECT_EQ(parse_options({"--mode=migrate-only"}).mode, Mode::migrate_only);
    const Options o = parse_options({"--mode", "run", "--wait-timeout", "5s", "/app/bin/server", "start"});
    EXPECT_EQ(o.mode, Mode::run);
    EXPECT_EQ(o.wait_timeout, 5s);
    EXPECT_EQ(o.command, (Args{"/app/bin/server", "start"}));
}

TEST(OptionsCommandLine, EveryOption) {
    const Options o = parse_options({
        "--mode=rollback",
        "--database-url=postgres://db/app",
        "--migrations-dir",
        "/app/priv/migrations",
        "--migrations-table=app.schema_migrations",
        "--lock=advisory",
        "--wait-timeout=0",
        "--lock-timeout=2m",
        "--statement-timeout=1.5s",
        "--launch=exec",
        "--stop-timeout=10s",
        "--signal-group",
        "--user=app:staff",
        "--to=20240705205730",
        "--log-format=json",
        "--log-level=debug",
    });
    EXPECT_EQ(o.mode, Mode::rollback);
    EXPECT_EQ(o.database_url, "postgres://db/app");
    EXPECT_EQ(o.migrations_dir, "/app/priv/migrations");
    EXPECT_EQ(o.migrations_table, "app.schema_migrations");
    EXPECT_EQ(o.lock, LockKind::advisory);
    EXPECT_EQ(o.wait_timeout, 0ms);
    EXPECT_EQ(o.lock_timeout, 2min);
    EXPECT_EQ(o.statement_timeout, 1500ms);
    EXPECT_EQ(o.launch, Launch::exec);
    EXPECT_EQ(o.stop_timeout, 10s);
    EXPECT_TRUE(o.signal_group);
    EXPECT_EQ(o.user, "app:staff");
    EXPECT_EQ(o.rollback_to, 20240705205730);
    EXPECT_EQ(o.log_format, LogFormat::json);
    EXPECT_EQ(o.log_level, LogLevel::debug);
    EXPECT_TRUE(o.command.empty());
    EXPECT_EQ(parse_options({"--mode=rollback", "--steps=3"}).rollback_steps, 3);
}

TEST(OptionsCommandLine, EveryModeAndEnumValue) {
    EXPECT_EQ(parse_options({"--mode=wait-only"}).mode, Mode::wait_only);
    EXPECT_EQ(parse_options({"--mode=launch-only", "x"}).mode, Mode::launch_only);
    EXPECT_EQ(parse_options({"--mode=status"}).mode, Mode::status);
    EXPECT_EQ(parse_options({"--mode=verify"}).mode, Mode::verify);
    EXPECT_EQ(
        parse_options({"--lock=table", "--launch=supervise", "--log-format=text", "--log-level=warn", "x"})
            .log_level,
        LogLevel::warn);
    EXPECT_EQ(parse_options({"--log-level=error", "x"}).log_level, LogLevel::error);
}

TEST(OptionsCommandLine, LintPolicyFromEachSourceDefaultWarn) {
    EXPECT_EQ(parse_options({"x"}).lint, pgentry::lint::Policy::warn);
    EXPECT_EQ(parse_options({"--lint=error", "x"}).lint, pgentry::lint::Policy::error);
    EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_LINT", "off"}}).lint, pgentry::lint::Policy::off);
    EXPECT_EQ(parse_options({"--lint=warn", "x"}, {{"PGENTRY_LINT", "off"}}).lint,
              pgentry::lint::Policy::warn);
    EXPECT_TRUE(mentions(usage_error({"--lint=strict", "x"}), {"--lint", "warn, error, off", "'strict'"}));
}

TEST(OptionsCommandLine, LintAndNewModes) {
    EXPECT_EQ(parse_options({"--mode=lint"}).mode, Mode::lint);
    const Options created = parse_options({"--mode=new", "add_users"});
    EXPECT_EQ(created.mode, Mode::new_migration);
    EXPECT_EQ(created.command, Args{"add_users"});
    EXPECT_TRUE(mentions(usage_error({"--mode=new"}), {"takes one NAME", "got 0 arguments"}));
    EXPECT_TRUE(mentions(usage_error({"--mode=new", "a", "b"}), {"takes one NAME", "got 2 arguments"}));
}

TEST(OptionsCommandLine, SignalGroupIsAFlag) {
    Options o = parse_options({"--signal-group", "/bin/server"});
    EXPECT_TRUE(o.signal_group);
    EXPECT_EQ(o.command, Args{"/bin/server"});
    EXPECT_FALSE(parse_options({"--signal-group=false", "x"}).signal_group);
    EXPECT_TRUE(parse_options({"--signal-group=true", "x"}).signal_group);
    // A flag takes no separate value: "false" here is the command.
    o = parse_options({"--signal-group", "false"});
    EXPECT_TRUE(o.signal_group);
    EXPECT_EQ(o.command, Args{"false"});
}

TEST(OptionsCommandLine, CommandInOtherModesIsKept) {
    EXPECT_EQ(parse_options({"--mode=migrate-only", "/app/bin/server"}).command, Args{"/app/bin/server"});
}

TEST(OptionsCommandLine, HelpAndVersion) {
    for (const Args& args :
         {Args{"--help"}, Args{"-h"}, Args{"--mode=bogus", "--help"}, Args{"--help", "--version"}}) {
        const Parsed parsed = parse(args, {{"PGENTRY_BOGUS", "x"}});
        ASSERT_TRUE(parsed.print);
        EXPECT_TRUE(mentions(*parsed.print, {"Usage: pgentry", "--wait-timeout", "PGENTRY_", "DURATION"}));
    }
    const Parsed parsed = parse({"--version"}, {});
    ASSERT_TRUE(parsed.print);
    EXPECT_EQ(*parsed.print, std::string("pgentry ") + PGENTRY_VERSION + "\n");
}

// --- errors -------------------------------------------------------------------------------------

TEST(OptionErrors, UnknownOption) {
    EXPECT_TRUE(mentions(usage_error({"--bogus", "x"}), {"unknown option --bogus"}));
    EXPECT_TRUE(mentions(usage_error({"-x"}), {"unknown option -x"}));
    EXPECT_TRUE(
        mentions(usage_error({"--wait-timout=3s"}), {"--wait-timout", "did you mean --wait-timeout?"}));
    // No abbreviations: --mod is not --mode.
    EXPECT_TRUE(mentions(usage_error({"--mod=run", "x"}), {"unknown option --mod"}));
}

TEST(OptionErrors, UnknownOptionNeverEchoesItsValue) {
    const std::string message = usage_error({"--database-ur=postgres://app:hunter2@db/app"});
    EXPECT_TRUE(mentions(message, {"--database-ur", "did you mean --database-url?"}));
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

// The format a usage error is reported in (UsageError::log_format), or nullopt when parse throws none.
std::optional<LogFormat> usage_error_format(const Args& args, const Environment& env = {}) {
    try {
        parse(args, env);
    } catch (const UsageError& error) {
        return error.log_format();
    }
    return std::nullopt;
}

// An unknown option, variable or key stops reading before --log-format is stored: the error must still
// come out as the JSON a log driver parses, wherever --log-format=json was given.
TEST(OptionErrors, ReportedInTheLogFormatAskedForWhereverTheErrorIs) {
    const TempDir dir;
    const std::string json_config = dir.write("json.conf", "log-format = json\nbogus = 1\n");
    const std::string plain_config = dir.write("plain.conf", "mode = lint\nbogus = 1\n");
    struct Case {
        Args args;
        Environment env;
        LogFormat expected;
    };
    const std::vector<Case> cases = {
        {{"--log-format=json", "--bogus"}, {}, LogFormat::json},
        {{"--bogus", "--log-format", "json"}, {}, LogFormat::json},
        {{"--bogus"}, {{"PGENTRY_LOG_FORMAT", "json"}}, LogFormat::json},
        {{"--mode=lint"}, {{"PGENTRY_LOG_FORMAT", "json"}, {"PGENTRY_BOGUS", "1"}}, LogFormat::json},
        {{"--config=" + json_config}, {}, LogFormat::json},
        {{"--bogus"}, {{"PGENTRY_CONFIG", json_config}}, LogFormat::json},
        {{"--log-format=json", "--config=" + plain_config}, {}, LogFormat::json},
        // Precedence as ever, and a value that is itself wrong does not count.
        {{"--log-format=text", "--config=" + json_config}, {}, LogFormat::text},
        {{"--log-format=jsn", "--bogus"}, {}, LogFormat::text},
        {{"--bogus"}, {}, LogFormat::text},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(usage_error_format(c.args, c.env), c.expected) << testing::PrintToString(c.args);
    }
}

struct BadValue {
    std::string option;
    std::string value;
    std::string hint;
};

TEST(OptionErrors, BadEnumValuesListAcceptedOnes) {
    const BadValue cases[] = {
        {"mode", "fly", "run, migrate-only, wait-only, launch-only, status, verify, rollback"},
        {"lock", "row", "table, advisory"},
        {"launch", "fork", "supervise, exec"},
        {"log-format", "xml", "text, json"},
        {"log-level", "trace", "debug, info, warn, error"},
        {"signal-group", "maybe", "true or false"},
    };
    for (const BadValue& c : cases) {
        EXPECT_TRUE(mentions(usage_error({"--" + c.option + "=" + c.value, "x"}),
                             {"--" + c.option, c.value, c.hint}));
    }
}

TEST(OptionErrors, BadDurations) {
    const BadValue cases[] = {
        {"wait-timeout", "30x", "unknown unit 'x'"},
        {"lock-timeout", "-1s", "negative"},
        {"statement-timeout", "1m30s", "unknown unit 'm30s'"},
        {"stop-timeout", "0.5ms", "millisecond"},
    };
    for (const BadValue& c : cases) {
        EXPECT_TRUE(mentions(usage_error({"--" + c.option + "=" + c.value, "x"}),
                             {"--" + c.option, c.value, c.hint}));
    }
}

TEST(OptionErrors, OptionGivenTwice) {
    EXPECT_TRUE(
        mentions(usage_error({"--mode=run", "--mode", "verify"}), {"--mode", "twice", "'run'", "'verify'"}));
    EXPECT_TRUE(
        mentions(usage_error({"--signal-group", "--signal-group=false", "x"}), {"--signal-group", "twice"}));
}

TEST(OptionErrors, TwiceNeverEchoesAPassword) {
    const std::string message = usage_error(
        {"--database-url=postgres://app:hunter2@db/a", "--database-url", "host=db password=hunter3"});
    EXPECT_TRUE(mentions(message, {"--database-url", "twice", "postgres://app:****@db/a", "password=****"}));
    EXPECT_EQ(message.find("hunter"), std::string::npos) << message;
}

TEST(OptionErrors, MissingValue) {
    EXPECT_TRUE(mentions(usage_error({"--mode"}), {"--mode: missing value"}));
    EXPECT_TRUE(mentions(usage_error({"--wait-timeout="}), {"--wait-timeout: missing value"}));
    EXPECT_TRUE(mentions(usage_error({"--database-url", "-h"}), {"--database-url: missing value"}));
    EXPECT_TRUE(
        mentions(usage_error({"--mode", "--lock=table", "x"}), {"--mode: missing value", "--lock=table"}));
    EXPECT_TRUE(mentions(usage_error({"--help=yes"}), {"--help takes no value"}));
}

TEST(OptionErrors, StepsMustBeAPositiveInteger) {
    for (const std::string value : {"0", "-1", "abc", "1.5", "+2", "99999999999", "2x"}) {
        EXPECT_TRUE(
            mentions(usage_error({"--mode=rollback", "--steps=" + value}), {"--steps", "'" + value + "'"}))
            << value;
    }
}

TEST(OptionErrors, ToMustBeAVersion) {
    for (const std::string value : {"abc", "1234567890123456789", "-5", "12a", "1.0"}) {
        EXPECT_TRUE(mentions(usage_error({"--mode=rollback", "--to=" + value}),
                             {"--to", "'" + value + "'", "18 digits"}))
            << value;
    }
    EXPECT_EQ(parse_options({"--mode=rollback", "--to=123456789012345678"}).rollback_to, 123456789012345678);
}

TEST(OptionErrors, ToWithSteps) {
    EXPECT_TRUE(mentions(usage_error({"--mode=rollback", "--to=5", "--steps=2"}),
                         {"--to and --steps cannot be combined", "--to='5'", "--steps='2'"}));
    EXPECT_TRUE(mentions(usage_error({"--mode=rollback", "--to=5"}, {{"PGENTRY_STEPS", "1"}}),
                         {"--to='5'", "PGENTRY_STEPS='1'"}));
}

TEST(OptionErrors, MigrationsTable) {
    for (const std::string value :
         {"a-b", "1abc", "a.b.c", ".a", "a.", "sch ema.t", "t;drop", "\"t\"", "é"}) {
        EXPECT_TRUE(mentions(usage_error({"--migrations-table=" + value, "x"}),
                             {"--migrations-table", "'" + value + "'"}))
            << value;
    }
    for (const std::string value : {"schema_migrations", "app.schema_migrations", "_x.Y1", "T"}) {
        EXPECT_EQ(parse_options({"--migrations-table=" + value, "x"}).migrations_table, value);
    }
}

TEST(OptionErrors, User) {
    for (const std::string value : {":", "app:", ":staff", "app:staff:x"}) {
        EXPECT_TRUE(
            mentions(usage_error({"--user=" + value, "x"}), {"--user", "'" + value + "'", "USER:GROUP"}))
            << value;
    }
    for (const std::string value : {"app", "1000:1000", "app:staff"}) {
        EXPECT_EQ(parse_options({"--user=" + value, "x"}).user, value);
    }
}

TEST(OptionErrors, EmptyValues) {
    EXPECT_TRUE(mentions(usage_error({"--migrations-dir", "", "x"}), {"--migrations-dir", "''"}));
    EXPECT_TRUE(mentions(usage_error({"--database-url", "", "x"}), {"--database-url", "''"}));
    EXPECT_TRUE(mentions(usage_error({"--user", "", "x"}), {"--user", "''"}));
    EXPECT_TRUE(mentions(usage_error({"--migrations-table", "", "x"}), {"--migrations-table", "''"}));
    EXPECT_TRUE(mentions(usage_error({"--config", "", "x"}), {"--config", "empty"}));
}

TEST(OptionErrors, RunAndLaunchOnlyNeedACommand) {
    EXPECT_TRUE(mentions(usage_error({}), {"no command", "--mode=run (the default)"}));
    EXPECT_TRUE(mentions(usage_error({"--mode=launch-only"}), {"no command", "--mode='launch-only'"}));
    EXPECT_TRUE(mentions(usage_error({"--"}), {"no command", "--mode=run"}));
    EXPECT_TRUE(mentions(usage_error({""}), {"command", "empty"}));
    EXPECT_TRUE(mentions(usage_error({}, {{"PGENTRY_MODE", "run"}}), {"no command", "PGENTRY_MODE='run'"}));
}

// --- environment --------------------------------------------------------------------------------

TEST(OptionsEnvironment, MapsVariablesToOptions) {
    const Options o = parse_options({"x"}, {{"PGENTRY_WAIT_TIMEOUT", "30s"},
                                            {"PGENTRY_MIGRATIONS_TABLE", "app.history"},
                                            {"PGENTRY_SIGNAL_GROUP", "yes"},
                                            {"PATH", "/usr/bin"},
                                            {"PGHOST", "db"}});
    EXPECT_EQ(o.wait_timeout, 30s);
    EXPECT_EQ(o.migrations_table, "app.history");
    EXPECT_TRUE(o.signal_group);
}

TEST(OptionsEnvironment, SignalGroupBooleans) {
    for (const auto& [value, expected] : std::vector<std::pair<std::string, bool>>{{"true", true},
                                                                                   {"1", true},
                                                                                   {"yes", true},
                                                                                   {"on", true},
                                                                                   {"TRUE", true},
                                                                                   {"false", false},
                                                                                   {"0", false},
                                                                                   {"no", false},
                                                                                   {"off", false}}) {
        EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_SIGNAL_GROUP", value}}).signal_group, expected) << value;
    }
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_SIGNAL_GROUP", ""}}), {"PGENTRY_SIGNAL_GROUP", "''"}));
}

TEST(OptionsEnvironment, UnknownVariableIsAnError) {
    EXPECT_TRUE(
        mentions(usage_error({"x"}, {{"PGENTRY_WAIT_TIMOUT", "30s"}}),
                 {"unknown environment variable PGENTRY_WAIT_TIMOUT", "did you mean PGENTRY_WAIT_TIMEOUT?"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_wait_timeout", "30s"}}),
                         {"PGENTRY_wait_timeout", "did you mean PGENTRY_WAIT_TIMEOUT?"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_WAIT-TIMEOUT", "30s"}}), {"PGENTRY_WAIT-TIMEOUT"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_H", "1"}}), {"PGENTRY_H"}));
    EXPECT_TRUE(
        mentions(usage_error({"x"}, {{"PGENTRY_HELP", "1"}}), {"PGENTRY_HELP", "only on the command line"}));
}

TEST(OptionsEnvironment, IgnoredVariables) {
    EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_", "1"}, {"PGENTRY_VERSION", "1.2.3"}, {"PGENTRYX", "1"}}).mode,
              Mode::run);
}

TEST(OptionsEnvironment, BadValueNamesTheVariable) {
    EXPECT_TRUE(
        mentions(usage_error({"x"}, {{"PGENTRY_MODE", "fly"}}), {"PGENTRY_MODE", "'fly'", "migrate-only"}));
    EXPECT_TRUE(
        mentions(usage_error({"x"}, {{"PGENTRY_STOP_TIMEOUT", "soon"}}), {"PGENTRY_STOP_TIMEOUT", "'soon'"}));
}

TEST(OptionsEnvironment, ReadsTheGivenMapNotTheProcessEnvironment) {
    ASSERT_EQ(::setenv("PGENTRY_MODE", "bogus", 1), 0);
    char** const before = environ;
    EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_LOCK", "advisory"}}).lock, LockKind::advisory);
    EXPECT_EQ(environ, before);
    usage_error({"x"}, {{"PGENTRY_BOGUS", "1"}});
    EXPECT_EQ(environ, before);
    EXPECT_STREQ(std::getenv("PGENTRY_MODE"), "bogus");
    ::unsetenv("PGENTRY_MODE");
}

TEST(OptionsEnvironment, CurrentEnvironment) {
    ASSERT_EQ(::setenv("PGENTRY_TEST_VALUE", "a=b", 1), 0);
    const Environment env = current_environment();
    ::unsetenv("PGENTRY_TEST_VALUE");
    ASSERT_TRUE(env.contains("PGENTRY_TEST_VALUE"));
    EXPECT_EQ(env.at("PGENTRY_TEST_VALUE"), "a=b");
}

// --- config file and precedence -----------------------------------------------------------------

TEST(OptionsConfigFile, KeysAndComments) {
    const TempDir dir;
    const std::string config = dir.write("pgentry.ini",
                                         "# pgentry settings\n"
                                         "; Swarm needs longer\n"
                                         "wait-timeout = 30s   \n"
                                         "\n"
                                         "mode=migrate-only\n"
                                         "  signal-group = yes\n"
                                         "migrations-table = app.history\n");
    const Options o = parse_options({"--config=" + config});
    EXPECT_EQ(o.wait_timeout, 30s);
    EXPECT_EQ(o.mode, Mode::migrate_only);
    EXPECT_TRUE(o.signal_group);
    EXPECT_EQ(o.migrations_table, "app.history");
    EXPECT_EQ(parse_options({}, {{"PGENTRY_CONFIG", config}}).wait_timeout, 30s);
}

TEST(OptionsConfigFile, HashInsideAValueIsPartOfIt) {
    const TempDir dir;
    const std::string config = dir.write("pgentry.ini",
                                         "\xEF\xBB\xBF# saved by a Windows editor, with a byte order mark\r\n"
                                         "; an INI comment\r\n"
                                         "   # an indented comment\r\n"
                                         "database-url = postgres://app:my#pass;word@db/app#x \r\n"
                                         "user=app:#1\r\n"
                                         "lock = advisory");
    const Options o = parse_options({"--config=" + config, "x"});
    EXPECT_EQ(o.database_url, "postgres://app:my#pass;word@db/app#x");
    EXPECT_EQ(o.user, "app:#1");
    EXPECT_EQ(o.lock, LockKind::advisory);
}

TEST(OptionsConfigFile, CommandLineConfigWinsOverEnvironment) {
    const TempDir dir;
    const std::string one = dir.write("one.ini", "lock = advisory\n");
    const std::string two = dir.write("two.ini", "lock = bogus\n");
    EXPECT_EQ(parse_options({"--config", one, "x"}, {{"PGENTRY_CONFIG", two}}).lock, LockKind::advisory);
}

TEST(OptionsConfigFile, Errors) {
    const TempDir dir;
    struct FileCase {
        std::string content;
        std::vector<std::string_view> mentions;
    };
    const FileCase cases[] = {
        {"wait-timout = 30s\n", {"line 1: unknown key 'wait-timout'", "did you mean wait-timeout?"}},
        {"[section]\nmode = run\n", {"line 2: unknown key 'section.mode'"}},
        {"lock = row\n", {"key lock", "'row'", "table, advisory"}},
        {"mode = run\nmode = verify\n", {"key mode is given twice", "'run'", "'verify'"}},
        {"help = 1\n", {"'help'", "only on the command line"}},
        {"version = 1\n", {"'version'", "only on the command line"}},
        {"config = other.ini\n", {"'config'", "another config file"}},
        {"# settings\n\njust words\n", {"line 3: invalid line 'just words' (expected key = value)"}},
        {"= value\n", {"line 1: invalid line '= value'"}},
        {"[section\n", {"line 1: invalid line '[section'"}},
        {"database-url postgres://app:hunter2@db/app\n", {"invalid line", "postgres://app:****@db/app"}},
        {std::string("mode = run\nlock = ta") + '\0' + "ble\n", {"line 2: holds a NUL byte"}},
        {"wait-timeout = 1s # a comment only where a line starts\n",
         {"key wait-timeout", "invalid duration"}},
        {"database-url = \n", {"key database-url", "''"}},
    };
    for (const FileCase& c : cases) {
        const std::string config = dir.write("bad.ini", c.content);
        const std::string message = usage_error({"--config=" + config, "x"});
        EXPECT_TRUE(mentions(message, {"config file " + config}));
        for (const std::string_view part : c.mentions) {
            EXPECT_TRUE(mentions(message, {part}));
        }
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
}

TEST(OptionsConfigFile, MissingOrUnreadable) {
    const TempDir dir;
    EXPECT_TRUE(mentions(usage_error({"--config=" + dir.path("missing.ini"), "x"}),
                         {"--config", dir.path("missing.ini"), "No such file or directory"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_CONFIG", dir.string()}}),
                         {"PGENTRY_CONFIG", dir.string(), "Is a directory"}));
}

TEST(OptionsPrecedence, CommandLineThenEnvironmentThenFileThenDefault) {
    const TempDir dir;
    const std::string config = dir.write("pgentry.ini", "wait-timeout = 10s\n");
    const Environment env = {{"PGENTRY_CONFIG", config}, {"PGENTRY_WAIT_TIMEOUT", "20s"}};
    EXPECT_EQ(parse_options({"--wait-timeout=30s", "x"}, env).wait_timeout, 30s);
    EXPECT_EQ(parse_options({"x"}, env).wait_timeout, 20s);
    EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_CONFIG", config}}).wait_timeout, 10s);
    EXPECT_EQ(parse_options({"x"}).wait_timeout, 60s);
}

TEST(OptionsPrecedence, OverriddenBadValueIsStillAnError) {
    const TempDir dir;
    const std::string config = dir.write("pgentry.ini", "mode = fly\n");
    EXPECT_TRUE(mentions(usage_error({"--config=" + config, "--mode=run", "x"}),
                         {"config file " + config + ", key mode", "'fly'"}));
}

// --- database URL ---------------------------------------------------------------------------------

TEST(OptionsDatabaseUrl, FirstMatchWins) {
    const TempDir dir;
    const auto url_file = [&](const std::string& name) {
        return dir.write(name, "postgres://from-" + name + "\n");
    };
    const std::string config = dir.path("pgentry.ini");
    // Highest precedence first; each step adds one source to args, env or the config file.
    struct Step {
        std::string expected;
        std::function<void(Args&, Environment&, std::string&)> add;
    };
    const Step chain[] = {
        {"postgres://from-cli",
         [](Args& a, Environment&, std::string&) { a.push_back("--database-url=postgres://from-cli"); }},
        {"postgres://from-cli-file",
         [&](Args& a, Environment&, std::string&) {
             a.push_back("--database-url-file=" + url_file("cli-file"));
         }},
        {"postgres://from-env",
         [](Args&, Environment& e, std::string&) { e["PGENTRY_DATABASE_URL"] = "postgres://from-env"; }},
        {"postgres://from-env-file",
         [&](Args&, Environment& e, std::string&) { e["PGENTRY_DATABASE_URL_FILE"] = url_file("env-file"); }},
        {"postgres://from-plain",
         [](Args&, Environment& e, std::string&) { e["DATABASE_URL"] = "postgres://from-plain"; }},
        {"postgres://from-plain-file",
         [&](Args&, Environment& e, std::string&) { e["DATABASE_URL_FILE"] = url_file("plain-file"); }},
        {"postgres://from-config",
         [](Args&, Environment&, std::string& c) { c += "database-url = postgres://from-config\n"; }},
        {"postgres://from-config-file",
         [&](Args&, Environment&, std::string& c) {
             c += "database-url-file = " + url_file("config-file") + "\n";
         }},
    };
    constexpr std::size_t size = std::size(chain);
    for (std::size_t first = 0; first <= size; ++first) {
        Args args = {"--config=" + config};
        Environment env;
        std::string ini;
        for (std::size_t i = first; i < size; ++i) {
            chain[i].add(args, env, ini);
        }
        dir.write("pgentry.ini", ini);
        args.push_back("/app/bin/server");
        EXPECT_EQ(parse_options(args, env).database_url, first < size ? chain[first].expected : "") << first;
    }
}

TEST(OptionsDatabaseUrl, EverySourceLosesSurroundingWhitespace) {
    const TempDir dir;
    const std::string file = dir.write("url", " postgres://db/app \n\r\n\t ");
    const std::string config = dir.write("pgentry.ini", "database-url = \t postgres://db/app \r\n");
    EXPECT_EQ(parse_options({"--database-url-file=" + file, "x"}).database_url, "postgres://db/app");
    EXPECT_EQ(parse_options({"--database-url= postgres://db/app\n", "x"}).database_url, "postgres://db/app");
    EXPECT_EQ(parse_options({"x"}, {{"DATABASE_URL", "postgres://db/app\n"}}).database_url,
              "postgres://db/app");
    EXPECT_EQ(parse_options({"x"}, {{"PGENTRY_DATABASE_URL", "\tpostgres://db/app"}}).database_url,
              "postgres://db/app");
    EXPECT_EQ(parse_options({"--config=" + config, "x"}).database_url, "postgres://db/app");
    // A Windows editor's byte-order mark before a file's URL.
    const std::string marked = dir.write("marked", "\xEF\xBB\xBFpostgres://db/app\r\n");
    EXPECT_EQ(parse_options({"--database-url-file=" + marked, "x"}).database_url, "postgres://db/app");
    // Blanks only: unset for DATABASE_URL (compose's "${DATABASE_URL}"), an error for pgentry's own.
    EXPECT_EQ(parse_options({"x"}, {{"DATABASE_URL", " \n"}}).database_url, "");
    EXPECT_TRUE(mentions(usage_error({"--database-url=\n", "x"}), {"--database-url", "expected a value"}));
}

TEST(OptionsDatabaseUrl, FileErrorsNameTheFileNotItsContent) {
    const TempDir dir;
    EXPECT_TRUE(mentions(usage_error({"--database-url-file=" + dir.path("missing"), "x"}),
                         {"--database-url-file", dir.path("missing"), "No such file or directory"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"DATABASE_URL_FILE", dir.string()}}),
                         {"DATABASE_URL_FILE", dir.string(), "Is a directory"}));
    // A URL given where its file was expected is still not echoed.
    const std::string message = usage_error({"--database-url-file=postgres://app:hunter2@db/app", "x"});
    EXPECT_TRUE(mentions(message, {"--database-url-file", "postgres://app:****@db/app"}));
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    const std::string nul = dir.write("nul", std::string("postgres://db/app") + '\0' + "?sslmode=disable\n");
    EXPECT_TRUE(mentions(usage_error({"--database-url-file=" + nul, "x"}), {nul, "holds a NUL byte"}));
    const std::string blank = dir.write("blank", " \n\n");
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_DATABASE_URL_FILE", blank}}),
                         {"PGENTRY_DATABASE_URL_FILE", blank, "is empty"}));
}

TEST(OptionsDatabaseUrl, OnlyTheWinningFileIsRead) {
    EXPECT_EQ(
        parse_options({"--database-url=postgres://db/app", "x"}, {{"DATABASE_URL_FILE", "/nonexistent/url"}})
            .database_url,
        "postgres://db/app");
}

TEST(OptionsDatabaseUrl, EmptyDatabaseUrlVariableIsUnset) {
    const TempDir dir;
    const std::string file = dir.write("url", "postgres://db/app\n");
    EXPECT_EQ(parse_options({"x"}, {{"DATABASE_URL", ""}}).database_url, "");
    EXPECT_EQ(parse_options({"x"}, {{"DATABASE_URL", ""}, {"DATABASE_URL_FILE", file}}).database_url,
              "postgres://db/app");
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_DATABASE_URL", ""}}), {"PGENTRY_DATABASE_URL", "''"}));
    EXPECT_TRUE(mentions(usage_error({"x"}, {{"PGENTRY_DATABASE_URL_FILE", ""}}),
                         {"PGENTRY_DATABASE_URL_FILE", "''"}));
}

}  // namespace
