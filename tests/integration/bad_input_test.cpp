// Every invalid input we know of, run through the built binary as a user would: the exit code and the
// words the user sees (the option, variable, file or value at fault). docs/bad-input.md is the same table
// for users.
//
// Not repeated here, because other process-level tests already check them with their messages:
// malformed file names, statements before the first marker, a marker twice, unknown marker options,
// duplicate versions and a missing directory (validation_test.cpp). The closed port and the wrong
// password of connection_test.cpp come back below only to pin the message the user reads.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <utility>

#include "not_postgres.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using Files = std::vector<std::pair<std::string, std::string>>;

// The password of every URL the rows use: it must never show in what pgentry prints.
constexpr std::string_view secret = "Bad-Input-S3cret";

// --- the table ---------------------------------------------------------------------------------------

enum class Target {
    refusing,  // a port that refuses connections, PGENTRY_WAIT_TIMEOUT=30s: the error must come before any
               // attempt
    database,  // a fresh database of the test server (PGENTRY_DATABASE_URL)
    garbage,   // a NotPostgres of each behaviour; the row's args say how to reach it ({fake_url})
    closes,
    silent,
    closes_then_silent,
    none,  // nothing configured: the row gives the URL itself (or none at all)
};

struct Paths {
    fs::path dir;   // the migrations directory
    fs::path work;  // a scratch directory for config files, URL files, commands
};

struct BadInput {
    std::string label;
    Args args;              // after the program name; {dir} {work} {fake_url} {db_url} ... are expanded
    Env env = {};           // added to the environment, expanded too
    Files files = {};       // written into the migrations directory
    Files work_files = {};  // written into the scratch directory
    void (*prepare)(const Paths&) = nullptr;  // anything files cannot express: modes, symlinks
    Target server = Target::refusing;
    bool as_nobody = false;  // permission rows: root reads everything, so they run as nobody
    int exit_code = 64;
    std::vector<std::string> says = {};  // each must appear in what pgentry printed, expanded
    Clock::duration min_elapsed = {};    // rows that must wait out --wait-timeout first
    Clock::duration max_elapsed = 60s;   // rows that must not wait: failures that waiting cannot fix
    bool over_tcp = false;               // skipped when the test server is reached through a Unix socket
};

void PrintTo(const BadInput& row, std::ostream* os) {
    *os << row.label;
}

void write_file(const fs::path& path, std::string_view body) {
    std::ofstream stream(path, std::ios::binary | std::ios::trunc);
    stream.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!stream.flush()) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

std::string expand(std::string text, const std::map<std::string, std::string>& variables) {
    for (const auto& [name, value] : variables) {
        const std::string key = "{" + name + "}";
        for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size())) {
            text.replace(at, key.size(), value);
        }
    }
    return text;
}

void set_mode(const fs::path& path, mode_t mode) {
    if (::chmod(path.c_str(), mode) != 0) {
        throw std::system_error(errno, std::generic_category(), "chmod " + path.string());
    }
}

// Makes a tree left with chmod 000 parts removable again, top down.
void make_removable(const fs::path& root) {
    std::error_code ignored;
    if (!fs::exists(fs::symlink_status(root, ignored)) || fs::is_symlink(fs::symlink_status(root, ignored))) {
        return;
    }
    ::chmod(root.c_str(), S_IRWXU | S_IRGRP | S_IXGRP | S_IROTH | S_IXOTH);
    if (fs::is_directory(root, ignored)) {
        for (const auto& entry : fs::directory_iterator(root, ignored)) {
            make_removable(entry.path());
        }
    }
}

// The prefix that runs a program as nobody when the test runs as root (where chmod stops nobody, not root).
std::optional<Args> as_nobody_prefix() {
    if (::geteuid() != 0) {
        return Args{};  // permissions already apply to this user
    }
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr || ::access("/usr/bin/setpriv", X_OK) != 0) {
        return std::nullopt;
    }
    return Args{"/usr/bin/setpriv", "--reuid=" + std::to_string(nobody->pw_uid),
                "--regid=" + std::to_string(nobody->pw_gid), "--clear-groups", "--"};
}

// Whether user nobody can reach and run the binary under test (a build tree under a 0700 home cannot).
bool nobody_can_run_pgentry() {
    const auto prefix = as_nobody_prefix();
    if (!prefix) {
        return false;
    }
    auto argv = *prefix;
    argv.insert(argv.end(), {pgentry_bin(), "--version"});
    return run(argv, {}, 20s).exit_code == 0;
}

class BadInputTest : public ::testing::TestWithParam<BadInput> {
protected:
    void TearDown() override {
        make_removable(dir.path());
        make_removable(work);
        std::error_code ignored;
        fs::remove_all(work, ignored);
    }

    MigrationDir dir;
    fs::path work = make_temp_dir("pgentry-bad-input-");
    ClosedPort closed;
};

TEST_P(BadInputTest, ExitCodeAndMessage) {
    const BadInput& row = GetParam();

    std::unique_ptr<TestDatabase> db;
    std::unique_ptr<NotPostgres> fake;
    std::map<std::string, std::string> variables{
        {"dir", dir.str()},
        {"work", work.string()},
        {"closed_port", std::to_string(closed.port())},
        {"refusing_url",
         make_url("127.0.0.1", std::to_string(closed.port()), "app", std::string(secret), "app")},
    };
    const auto uses = [&](std::string_view name) {
        std::string key = "{";  // piece by piece: GCC 12 at -O3 warns (-Wrestrict) about "{" + std::string&&
        key += name;
        key += '}';
        const auto in = [&](const std::string& text) { return text.find(key) != std::string::npos; };
        return std::ranges::any_of(row.args, in) ||
               std::ranges::any_of(row.env, [&](const auto& entry) { return in(entry.second); });
    };
    if (row.server == Target::database || uses("db_url") || uses("wrong_password_url") ||
        uses("no_such_db_url") || uses("app_db_url") || uses("no_password_url")) {
        db = std::make_unique<TestDatabase>();
        const auto& server = db->server();
        if ((row.over_tcp || uses("wrong_password_url")) && server.host.starts_with("/")) {
            GTEST_SKIP()
                << "the server is reached through a Unix socket, where passwords and TLS may not apply";
        }
        variables["db_url"] = db->url();
        variables["wrong_password_url"] =
            make_url(server.host, server.port, server.user, "Wrong-" + std::string(secret), db->name());
        variables["no_password_url"] = make_url(server.host, server.port, server.user, "", db->name());
        variables["no_such_db_url"] =
            make_url(server.host, server.port, server.user, server.password, db->name() + "_does_not_exist");
        // A database named like the URL's (ssl)password, as in "app:app@db/app": the server's words
        // about it are printed as they are.
        variables["app_db_url"] =
            make_url(server.host, server.port, server.user, server.password, "app") + "?sslpassword=app";
        variables["user"] = server.user;
    }
    switch (row.server) {
    case Target::garbage: fake = std::make_unique<NotPostgres>(NotPostgres::Behaviour::garbage); break;
    case Target::closes: fake = std::make_unique<NotPostgres>(NotPostgres::Behaviour::closes); break;
    case Target::silent: fake = std::make_unique<NotPostgres>(NotPostgres::Behaviour::silent); break;
    case Target::closes_then_silent:
        fake = std::make_unique<NotPostgres>(NotPostgres::Behaviour::closes_then_silent);
        break;
    default: break;
    }
    if (fake) {
        variables["fake_port"] = std::to_string(fake->port());
        variables["fake_url"] =
            make_url("127.0.0.1", variables["fake_port"], "app", std::string(secret), "app");
    }

    for (const auto& [name, body] : row.files) {
        dir.write(name, body);
    }
    for (const auto& [name, body] : row.work_files) {
        write_file(work / name, body);
    }

    Args prefix;
    if (row.as_nobody) {
        if (!nobody_can_run_pgentry()) {
            GTEST_SKIP() << "cannot run " << pgentry_bin()
                         << " as user nobody (setpriv missing or the path is closed)";
        }
        prefix = *as_nobody_prefix();
        set_mode(dir.path(), 0755);  // mkdtemp made them 0700
        set_mode(work, 0755);
    }
    if (row.prepare != nullptr) {
        row.prepare(Paths{dir.path(), work});
    }

    Env env{{"PGENTRY_MIGRATIONS_DIR", dir.str()}};
    switch (row.server) {
    case Target::refusing:
        env["PGENTRY_DATABASE_URL"] = variables["refusing_url"];
        env["PGENTRY_WAIT_TIMEOUT"] = "30s";
        break;
    case Target::database: env["PGENTRY_DATABASE_URL"] = variables["db_url"]; break;
    default: break;
    }
    for (const auto& [name, value] : row.env) {
        env[name] = expand(value, variables);
    }
    Args argv = prefix;
    argv.push_back(pgentry_bin());
    for (const auto& arg : row.args) {
        argv.push_back(expand(arg, variables));
    }

    const auto result = run(argv, env, 60s);
    const std::string printed = result.out + result.err;
    const bool leaked = printed.find(secret) != std::string::npos;
    // Usage, configuration and migration-set errors come before anything is said of the database (the files'
    // contents are read while the first connection is made; a bad one ends that wait).
    const bool before_connecting = row.exit_code == 64 || row.exit_code == 65 || row.exit_code == 66;
    const bool tried_to_connect = printed.find("waiting for database") != std::string::npos ||
                                  printed.find("could not reach the database") != std::string::npos;
    EXPECT_EQ(result.exit_code, row.exit_code) << result;
    for (const auto& needle : row.says) {
        EXPECT_TRUE(contains(printed, expand(needle, variables))) << result;
    }
    EXPECT_FALSE(leaked) << "a password was printed:\n" << result;
    if (before_connecting) {
        EXPECT_FALSE(tried_to_connect) << "it tried to connect first: " << result;
    }
    if (row.server == Target::refusing) {
        EXPECT_LT(result.elapsed, 5s) << "it tried to connect first: " << result;
    }
    EXPECT_GE(result.elapsed, row.min_elapsed) << "gave up before --wait-timeout: " << result;
    EXPECT_LT(result.elapsed, row.max_elapsed) << "retried what waiting cannot fix: " << result;
}

const Args migrate_only{"--mode=migrate-only"};

void make_not_executable(const Paths& paths) {
    write_file(paths.work / "not-executable.sh", "#!/bin/sh\nexit 0\n");
    set_mode(paths.work / "not-executable.sh", 0644);
}

void dangling_symlink(const Paths& paths) {
    fs::create_symlink(paths.work / "gone.sql", paths.dir / "20240101000001_gone.sql");
}

void unreadable_file(const Paths& paths) {
    set_mode(paths.dir / "20240101000001_secret.sql", 0);
}

void unreadable_dir(const Paths& paths) {
    set_mode(paths.dir, 0);
}

void unlistable_dir(const Paths& paths) {
    set_mode(paths.dir, 0311);  // search but no read: the files are there, the listing is not
}

void unreadable_config(const Paths& paths) {
    set_mode(paths.work / "pgentry.conf", 0);
}

void private_pgpass(const Paths& paths) {
    set_mode(paths.work / "pgpass", 0600);  // libpq ignores a password file others can read
}

void unreadable_url_file(const Paths& paths) {
    set_mode(paths.work / "database-url", 0);
}

const std::string valid = "20240101000000_valid.sql";

// What Windows editors save as "Unicode": UTF-16LE with its byte-order mark.
std::string utf16_le(std::string_view ascii) {
    std::string out = "\xFF\xFE";
    for (const char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(
    Options, BadInputTest,
    ::testing::Values(
        BadInput{
            .label = "UnknownOption", .args = {"--bogus", "--", "true"}, .says = {"unknown option --bogus"}},
        BadInput{.label = "MisspelledOption",
                 .args = {"--wait-timout=5s", "--", "true"},
                 .says = {"unknown option --wait-timout", "did you mean --wait-timeout?"}},
        BadInput{.label = "ShortOption", .args = {"-m", "run", "--", "true"}, .says = {"unknown option -m"}},
        BadInput{.label = "BadMode",
                 .args = {"--mode=sideways"},
                 .says = {"--mode: expected one of run, migrate-only", "got 'sideways'"}},
        BadInput{.label = "BadLockCase",
                 .args = {"--mode=migrate-only", "--lock=Table"},
                 .says = {"--lock: expected one of table, advisory, got 'Table'"}},
        BadInput{.label = "BadLint",
                 .args = {"--mode=migrate-only", "--lint=strict"},
                 .says = {"--lint: expected one of warn, error, off, got 'strict'"}},
        BadInput{.label = "BadLintFromTheEnvironment",
                 .args = {"--mode=migrate-only"},
                 .env = {{"PGENTRY_LINT", "Error"}},
                 .says = {"PGENTRY_LINT", "expected one of warn, error, off, got 'Error'"}},
        BadInput{.label = "BadLaunch",
                 .args = {"--launch=fork", "--", "true"},
                 .says = {"--launch: expected one of supervise, exec, got 'fork'"}},
        BadInput{.label = "BadLogFormat",
                 .args = {"--mode=migrate-only", "--log-format=xml"},
                 .says = {"--log-format", "got 'xml'"}},
        BadInput{.label = "BadLogLevel",
                 .args = {"--mode=migrate-only", "--log-level=verbose"},
                 .says = {"--log-level", "got 'verbose'"}},
        BadInput{.label = "BadBoolean",
                 .args = {"--signal-group=maybe", "--", "true"},
                 .says = {"--signal-group", "got 'maybe'"}},
        BadInput{.label = "DurationUnknownUnit",
                 .args = {"--mode=migrate-only", "--lock-timeout=5x"},
                 .says = {"--lock-timeout: invalid duration '5x'", "use ms, s, m or h"}},
        BadInput{.label = "DurationCompound",
                 .args = {"--stop-timeout=1h2m", "--", "true"},
                 .says = {"--stop-timeout: invalid duration '1h2m'"}},
        BadInput{.label = "DurationNegative",
                 .args = {"--wait-timeout=-1s", "--mode=migrate-only"},
                 .says = {"--wait-timeout: invalid duration '-1s'", "negative"}},
        BadInput{.label = "DurationTooLarge",
                 .args = {"--mode=migrate-only", "--statement-timeout=99999999999999999999h"},
                 .says = {"--statement-timeout", "'99999999999999999999h'", "too large"}},
        BadInput{.label = "DurationBelowAMillisecond",
                 .args = {"--mode=migrate-only", "--lock-timeout=0.5ms"},
                 .says = {"--lock-timeout", "'0.5ms'", "finer than a millisecond"}},
        BadInput{.label = "DdlLockTimeoutWordUnit",
                 .args = {"--mode=migrate-only", "--ddl-lock-timeout=5sec"},
                 .says = {"--ddl-lock-timeout: invalid duration '5sec'", "use ms, s, m or h"}},
        BadInput{.label = "DdlRetryTimeoutNegative",
                 .args = {"--mode=migrate-only", "--ddl-retry-timeout=-10m"},
                 .says = {"--ddl-retry-timeout: invalid duration '-10m'", "negative"}},
        BadInput{.label = "StepsZero",
                 .args = {"--mode=rollback", "--steps=0"},
                 .says = {"--steps: expected a positive number of migrations, got '0'"}},
        BadInput{
            .label = "StepsNegative", .args = {"--mode=rollback", "--steps=-1"}, .says = {"--steps", "'-1'"}},
        BadInput{.label = "ToNotAVersion",
                 .args = {"--mode=rollback", "--to=abc"},
                 .says = {"--to: expected a migration version", "got 'abc'"}},
        BadInput{.label = "ToNineteenDigits",
                 .args = {"--mode=rollback", "--to=1234567890123456789"},
                 .says = {"--to", "'1234567890123456789'"}},
        BadInput{.label = "ToNotApplied",
                 .args = {"--mode=rollback", "--to=2024010100002"},
                 .files = {{valid, "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n"}},
                 .server = Target::database,
                 .exit_code = 65,
                 .says = {"nothing rolled back: --to=2024010100002 is not an applied version",
                          "or 0 to roll back everything", "no migration is applied"}},
        BadInput{.label = "ToWithSteps",
                 .args = {"--mode=rollback", "--to=5", "--steps=2"},
                 .says = {"--to and --steps cannot be combined"}},
        // Ecto's `migrate --to V` stops at V; pgentry's other modes apply everything, so it is refused.
        BadInput{.label = "ToOutsideRollback",
                 .args = {"--mode=migrate-only", "--to=20240101000001"},
                 .says = {"--to='20240101000001' is only for --mode=rollback"}},
        BadInput{.label = "StepsFromTheEnvironmentOutsideRollback",
                 .args = {"--mode=run", "--", "true"},
                 .env = {{"PGENTRY_STEPS", "2"}},
                 .says = {"PGENTRY_STEPS='2' is only for --mode=rollback"}},
        BadInput{.label = "OptionTwice",
                 .args = {"--mode=run", "--mode=migrate-only"},
                 .says = {"--mode is given twice", "'run', then 'migrate-only'"}},
        BadInput{
            .label = "UrlTwiceHidesPasswords",
            .args = {"--mode=migrate-only", "--database-url={refusing_url}", "--database-url={refusing_url}"},
            .says = {"--database-url is given twice", "app:****@127.0.0.1"}},
        BadInput{.label = "MissingValueAtEnd", .args = {"--mode"}, .says = {"--mode: missing value"}},
        // The word quoted back may be "--option=VALUE" with a conninfo VALUE: its password is masked.
        BadInput{.label = "MissingValueBeforeAConninfoOption",
                 .args = {"--mode", "--no-such-option=password=Bad-Input-S3cret"},
                 .says = {"--mode: missing value", "'--no-such-option=password=****'"}},
        BadInput{.label = "EmptyValue",
                 .args = {"--mode=migrate-only", "--wait-timeout="},
                 .says = {"--wait-timeout: missing value"}},
        BadInput{.label = "TableNameThreeParts",
                 .args = {"--mode=migrate-only", "--migrations-table=a.b.c"},
                 .says = {"--migrations-table: expected NAME or SCHEMA.NAME", "got 'a.b.c'"}},
        BadInput{.label = "TableNameQuoted",
                 .args = {"--mode=migrate-only", "--migrations-table=\"Migrations\""},
                 .says = {"--migrations-table", "got '\"Migrations\"'"}},
        BadInput{.label = "TableNameInjection",
                 .args = {"--mode=migrate-only", "--migrations-table=x; DROP TABLE users"},
                 .says = {"--migrations-table", "got 'x; DROP TABLE users'"}},
        BadInput{.label = "UserThreeParts",
                 .args = {"--user=a:b:c", "--", "true"},
                 .says = {"--user: expected USER or USER:GROUP", "got 'a:b:c'"}},
        BadInput{.label = "UserEmptyName",
                 .args = {"--user=:root", "--", "true"},
                 .says = {"--user", "got ':root'"}},
        BadInput{.label = "RunWithoutCommand",
                 .args = {"--mode=run"},
                 .says = {"no command given", "--mode='run' needs one"}},
        BadInput{
            .label = "RunWithOnlyDoubleDash", .args = {"--mode=run", "--"}, .says = {"no command given"}},
        BadInput{.label = "LaunchOnlyWithoutCommand",
                 .args = {"--mode=launch-only"},
                 .says = {"no command given", "--mode='launch-only' needs one"}},
        BadInput{.label = "NewWithoutName",
                 .args = {"--mode=new", "--migrations-dir={dir}"},
                 .says = {"--mode='new' takes one NAME", "got 0 arguments"}},
        BadInput{.label = "NewWithTwoNames",
                 .args = {"--mode=new", "--migrations-dir={dir}", "add", "users"},
                 .says = {"--mode='new' takes one NAME", "got 2 arguments"}},
        BadInput{.label = "NewNameWithSlash",
                 .args = {"--mode=new", "--migrations-dir={dir}", "../add_users"},
                 .says = {"--mode=new: invalid NAME '../add_users'", "letters, digits, '_' or '-'"}},
        BadInput{.label = "NewNameWithSpace",
                 .args = {"--mode=new", "--migrations-dir={dir}", "add users"},
                 .says = {"--mode=new: invalid NAME 'add users'"}},
        BadInput{.label = "NewNameEmpty",
                 .args = {"--mode=new", "--migrations-dir={dir}", "--", ""},
                 .says = {"the command's first word is empty"}},
        // NAME_MAX: the file name would not fit, which is the user's NAME, not a failed write (66).
        BadInput{.label = "NewNameTooLong",
                 .args = {"--mode=new", "--migrations-dir={dir}", std::string(300, 'n')},
                 .says = {"--mode=new: NAME is 300 characters long; at most 236 fit in a file name"}},
        // A database URL where a command, a NAME or a directory goes: quoted back with its password masked.
        BadInput{.label = "CommandIsADatabaseUrl",
                 .args = {"--mode=launch-only", "postgres://app:Bad-Input-S3cret@db/app"},
                 .says = {"the command 'postgres://app:****@db/app' is a database URL",
                          "give it with --database-url"}},
        BadInput{.label = "CommandIsAConninfoAfterMigrating",
                 .args = {"--mode=run", "--", "host=db password=Bad-Input-S3cret"},
                 .says = {"the command 'host=db password=****' is a database URL"}},
        BadInput{
            .label = "StrayArgumentIsADatabaseUrl",
            .args = {"--mode=status", "--migrations-dir={dir}", "postgres://app:Bad-Input-S3cret@db/app"},
            .server = Target::database,
            .exit_code = 0,
            .says = {"this mode runs no command; ignoring 'postgres://app:****@db/app'"}},
        BadInput{.label = "NewNameIsADatabaseUrl",
                 .args = {"--mode=new", "--migrations-dir={dir}", "postgres://app:Bad-Input-S3cret@db/app"},
                 .says = {"--mode=new: invalid NAME 'postgres://app:****@db/app'"}},
        BadInput{.label = "MigrationsDirIsADatabaseUrl",
                 .args = {"--mode=lint", "--migrations-dir=postgres://app:Bad-Input-S3cret@db/app"},
                 .exit_code = 66,
                 .says = {"postgres://app:****@db/app: migrations directory does not exist"}},
        BadInput{.label = "NewInAMigrationsDirThatIsADatabaseUrl",
                 .args = {"--mode=new", "--migrations-dir=postgres://app:Bad-Input-S3cret@db/app", "users"},
                 .exit_code = 66,
                 .says = {"postgres://app:****@db/app: migrations directory does not exist"}}),
    [](const auto& info) { return info.param.label; });

// --migrate-command is for the modes that migrate (SPEC.md "Other migration tools"): the others refuse it
// before connecting, as --to outside rollback. `ctest -R MigrateCommand` runs these with
// migrate_command_test.
BadInput migrate_command_refused(const std::string& label, const std::string& mode, Env env = {}) {
    const bool from_environment = !env.empty();
    Args args{"--mode=" + mode};
    if (!from_environment) {
        args.push_back("--migrate-command=bin/migrate");
    }
    if (mode == "launch-only") {
        args.insert(args.end(), {"--", "true"});
    }
    return BadInput{.label = label,
                    .args = args,
                    .env = std::move(env),
                    .says = {(from_environment ? "PGENTRY_MIGRATE_COMMAND" : "--migrate-command") +
                             "='bin/migrate' is only for --mode=run and --mode=migrate-only"s}};
}

INSTANTIATE_TEST_SUITE_P(MigrateCommand, BadInputTest,
                         ::testing::Values(migrate_command_refused("InStatus", "status"),
                                           migrate_command_refused("InVerify", "verify"),
                                           migrate_command_refused("InRollback", "rollback"),
                                           migrate_command_refused("InWaitOnly", "wait-only"),
                                           migrate_command_refused("InLaunchOnly", "launch-only"),
                                           migrate_command_refused("FromTheEnvironmentInStatus", "status",
                                                                   {{"PGENTRY_MIGRATE_COMMAND",
                                                                     "bin/migrate"}}),
                                           BadInput{.label = "Empty",
                                                    .args = {"--mode=migrate-only", "--migrate-command="},
                                                    .says = {"--migrate-command: missing value"}}),
                         [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    Environment, BadInputTest,
    ::testing::Values(BadInput{.label = "UnknownVariable",
                               .args = migrate_only,
                               .env = {{"PGENTRY_WAIT_TIMOUT", "5s"}},
                               .says = {"unknown environment variable PGENTRY_WAIT_TIMOUT"}},
                      BadInput{.label = "BadLockVariable",
                               .args = migrate_only,
                               .env = {{"PGENTRY_LOCK", "bogus"}},
                               .says = {"PGENTRY_LOCK: expected one of table, advisory, got 'bogus'"}},
                      BadInput{.label = "BadDurationVariable",
                               .args = migrate_only,
                               .env = {{"PGENTRY_LOCK_TIMEOUT", "soon"}},
                               .says = {"PGENTRY_LOCK_TIMEOUT: invalid duration 'soon'"}},
                      BadInput{.label = "BadDdlLockTimeoutVariable",
                               .args = migrate_only,
                               .env = {{"PGENTRY_DDL_LOCK_TIMEOUT", "1 s"}},
                               .says = {"PGENTRY_DDL_LOCK_TIMEOUT: invalid duration '1 s'"}},
                      BadInput{.label = "BadModeVariableUnderAGoodOption",
                               .args = migrate_only,
                               .env = {{"PGENTRY_MODE", "sideways"}},
                               .says = {"PGENTRY_MODE", "got 'sideways'"}},
                      BadInput{.label = "UrlFileVariableMissing",
                               .args = migrate_only,
                               .env = {{"DATABASE_URL_FILE", "{work}/missing-secret"}},
                               .server = Target::none,
                               .says = {"DATABASE_URL_FILE: cannot read {work}/missing-secret",
                                        "No such file or directory"}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    ConfigFile, BadInputTest,
    ::testing::Values(
        BadInput{
            .label = "Missing",
            .args = {"--mode=migrate-only", "--config={work}/missing.conf"},
            .says = {"--config: cannot read config file {work}/missing.conf", "No such file or directory"}},
        BadInput{.label = "Directory",
                 .args = {"--mode=migrate-only", "--config={work}"},
                 .says = {"--config: cannot read config file {work}", "Is a directory"}},
        BadInput{.label = "UnknownKey",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "wait-timout = 5s\n"}},
                 .says = {"config file {work}/pgentry.conf, line 1: unknown key 'wait-timout'"}},
        BadInput{.label = "KeyWithDashes",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "--lock = table\n"}},
                 .says = {"{work}/pgentry.conf", "'--lock'"}},
        BadInput{.label = "BadValue",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "# comment\nlock = sometimes\n"}},
                 .says = {"config file {work}/pgentry.conf, key lock", "got 'sometimes'"}},
        BadInput{.label = "BadDuration",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "lock-timeout = forever\n"}},
                 .says = {"key lock-timeout: invalid duration 'forever'"}},
        BadInput{.label = "BadDdlRetryTimeoutKey",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "ddl-retry-timeout = 10 minutes\n"}},
                 .says = {"key ddl-retry-timeout: invalid duration '10 minutes'"}},
        BadInput{.label = "LineWithoutEquals",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "signal-group\n"}},
                 .says = {"line 1: invalid line 'signal-group' (expected key = value)"}},
        BadInput{.label = "KeyTwice",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "lock = table\nlock = advisory\n"}},
                 .says = {"key lock is given twice ('table', then 'advisory')"}},
        BadInput{.label = "Section",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "[pgentry]\nlock = table\n"}},
                 .says = {"line 2: unknown key 'pgentry.lock'"}},
        BadInput{.label = "ByteOrderMarkIsIgnored",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "\xEF\xBB\xBFlock = bogus\n"}},
                 .says = {"config file {work}/pgentry.conf, key lock", "got 'bogus'"}},
        BadInput{.label = "NulByteInConfig",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "lock = table\nmode = run\0\n"s}},
                 .says = {"config file {work}/pgentry.conf, line 2: holds a NUL byte"}},
        BadInput{.label = "HashAfterAValueIsPartOfIt",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "; comment\n  # comment\nlock = table # a note\n"}},
                 .says = {"key lock: expected one of table, advisory, got 'table # a note'"}},
        BadInput{.label = "NamesAnotherConfig",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "config = other.conf\n"}},
                 .says = {"key 'config' cannot name another config file"}},
        BadInput{.label = "CommandLineOnlyKey",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "help = true\n"}},
                 .says = {"key 'help' is accepted only on the command line"}},
        BadInput{.label = "BadValueOverriddenByTheCommandLine",
                 .args = {"--mode=migrate-only", "--lock=table", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "lock = sometimes\n"}},
                 .says = {"key lock", "got 'sometimes'"}},
        BadInput{.label = "UrlTwiceHidesPasswords",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf",
                                 "database-url = postgresql://a:Bad-Input-S3cret@h/db\n"
                                 "database-url = postgresql://b:Bad-Input-S3cret@h/db\n"}},
                 .says = {"key database-url is given twice", "a:****@h"}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    DatabaseUrl, BadInputTest,
    ::testing::Values(
        BadInput{.label = "MalformedUri",
                 .args = {"--mode=migrate-only", "--database-url=postgresql://app:Bad-Input-S3cret@[::1/app"},
                 .says = {"invalid database URL", "IPv6 host address", "app:****@[::1/app"}},
        BadInput{.label = "BadPercentEncoding",
                 .args = {"--mode=migrate-only", "--database-url=postgresql://app:Bad-Input-S3cret%zz@h/app"},
                 .says = {"invalid database URL", "invalid percent-encoded token"}},
        BadInput{.label = "OtherScheme",
                 .args = {"--mode=migrate-only", "--database-url=mysql://app:Bad-Input-S3cret@h/app"},
                 .says = {"invalid database URL", "mysql://app:****@h/app"}},
        BadInput{.label = "UnknownUriParameter",
                 .args = {"--mode=migrate-only", "--database-url={refusing_url}?sslmod=require"},
                 .says = {"invalid database URL", "invalid URI query parameter: \"sslmod\""}},
        BadInput{.label = "UnknownConninfoKeyword",
                 .args = {"--mode=migrate-only",
                          "--database-url=host=127.0.0.1 sslmod=require password=Bad-Input-S3cret"},
                 .says = {"invalid database URL", "invalid connection option \"sslmod\""}},
        BadInput{.label = "MisspelledPasswordKeyword",
                 .args = {"--mode=migrate-only", "--database-url=host=127.0.0.1 pasword=Bad-Input-S3cret"},
                 .says = {"invalid database URL", "invalid connection option \"pasword\""}},
        BadInput{.label = "UnterminatedQuote",
                 .args = {"--mode=migrate-only", "--database-url=host=127.0.0.1 password='Bad-Input-S3cret"},
                 .says = {"invalid database URL", "unterminated quoted string"}},
        BadInput{.label = "EmptyUrlFile",
                 .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
                 .work_files = {{"database-url", ""}},
                 .says = {"--database-url-file: {work}/database-url is empty"}},
        BadInput{.label = "NulByteInUrlFile",
                 .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
                 .work_files = {{"database-url", "postgresql://app:Bad-Input-S3cret@h/app\0?x\n"s}},
                 .says = {"--database-url-file: {work}/database-url holds a NUL byte"}},
        // A secret saved by a Windows editor: the byte-order mark goes, the whole URL reaches libpq (which
        // refuses its sslmode here, not a "missing =" after an invisible character).
        BadInput{
            .label = "ByteOrderMarkInUrlFile",
            .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
            .work_files =
                {{"database-url",
                  "\xEF\xBB\xBFpostgresql://app:Bad-Input-S3cret@127.0.0.1:1/app?sslmode=sometimes\r\n"}},
            .server = Target::none,
            .says = {"invalid database URL: invalid sslmode value: \"sometimes\""}},
        BadInput{.label = "BlankUrlFile",
                 .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
                 .work_files = {{"database-url", "\n  \n"}},
                 .says = {"--database-url-file: {work}/database-url is empty"}},
        BadInput{
            .label = "MissingUrlFile",
            .args = {"--mode=migrate-only", "--database-url-file={work}/missing-secret"},
            .says = {"--database-url-file: cannot read {work}/missing-secret", "No such file or directory"}},
        BadInput{.label = "UrlFileIsADirectory",
                 .args = {"--mode=migrate-only", "--database-url-file={work}"},
                 .says = {"--database-url-file: cannot read {work}", "Is a directory"}},
        BadInput{.label = "MalformedUrlInFile",
                 .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
                 .work_files = {{"database-url", "postgresql://app:Bad-Input-S3cret@[::1/app\n"}},
                 .says = {"invalid database URL", "app:****@[::1/app"}},
        // Keys that look like a password are redacted too: libpq's sslpassword, and misspellings.
        BadInput{.label = "SslPasswordInAMalformedUri",
                 .args = {"--mode=migrate-only",
                          "--database-url=postgresql://app@[::1/app?sslpassword=Bad-Input-S3cret"},
                 .says = {"invalid database URL", "IPv6 host address"}},
        BadInput{.label = "SslPasswordGivenTwice",
                 .args = {"--mode=migrate-only",
                          "--database-url=postgresql://app@h/app?sslpassword=Bad-Input-S3cret",
                          "--database-url=postgresql://app@h/app"},
                 .says = {"--database-url is given twice"}},
        BadInput{.label = "MisspelledPasswordInAMalformedUri",
                 .args = {"--mode=migrate-only",
                          "--database-url=postgresql://app@[::1/app?pasword=Bad-Input-S3cret"},
                 .says = {"invalid database URL", "IPv6 host address"}},
        // libpq refuses these values before any traffic: 64 at once, not a wait for a server.
        BadInput{.label = "InvalidSslmodeValue",
                 .args = {"--mode=migrate-only", "--wait-timeout=2s",
                          "--database-url={refusing_url}?sslmode=sometimes"},
                 .server = Target::none,
                 .says = {"invalid sslmode value: \"sometimes\""}},
        BadInput{.label = "PortNotANumber",
                 .args = {"--mode=migrate-only", "--wait-timeout=2s",
                          "--database-url=postgresql://app:Bad-Input-S3cret@127.0.0.1:abc/app"},
                 .server = Target::none,
                 .says = {"invalid integer value \"abc\" for connection option \"port\""}},
        BadInput{
            .label = "PortNotANumberInConninfo",
            .args = {"--mode=migrate-only", "--wait-timeout=2s",
                     "--database-url=host=127.0.0.1 port=abc password=Bad-Input-S3cret"},
            .server = Target::none,
            .says = {"invalid database URL: invalid integer value \"abc\" for connection option \"port\""}},
        // Values libpq reads only once it holds a socket (or only in PQconnectdb, as psql does): refused as
        // libpq refuses them, before any waiting, not 69 at the first attempt nor retried until the timeout.
        BadInput{.label = "KeepalivesIdleNotANumber",
                 .args = {"--mode=migrate-only", "--wait-timeout=30s",
                          "--database-url={refusing_url}?keepalives_idle=abc"},
                 .server = Target::none,
                 .says = {"invalid database URL: invalid integer value \"abc\" for connection option "
                          "\"keepalives_idle\""},
                 .max_elapsed = 5s},
        BadInput{
            .label = "ConnectTimeoutNotAnInteger",
            .args = {"--mode=migrate-only", "--wait-timeout=30s",
                     "--database-url=host=127.0.0.1 port=1 connect_timeout=1.5 password=Bad-Input-S3cret"},
            .server = Target::none,
            .says = {"invalid database URL: invalid integer value \"1.5\" for connection option "
                     "\"connect_timeout\""},
            .max_elapsed = 5s},
        BadInput{
            .label = "HostaddrNotAnAddress",
            .args = {"--mode=migrate-only", "--wait-timeout=30s",
                     "--database-url=host=db.example hostaddr=db.example port=1 password=Bad-Input-S3cret"},
            .server = Target::none,
            .says = {"invalid database URL: could not parse network address \"db.example\""},
            .max_elapsed = 5s},
        // An echo-made secret: the newline at the end is ignored, one inside the URL is libpq's to refuse.
        BadInput{.label = "UrlEndingInANewlineWorks",
                 .args = {"--mode=wait-only", "--log-level=debug"},
                 .env = {{"DATABASE_URL", "{db_url}\n"}},
                 .server = Target::none,
                 .exit_code = 0,
                 .says = {"connected to"}},
        BadInput{.label = "NewlineInsideTheUrl",
                 .args = {"--mode=migrate-only", "--wait-timeout=2s",
                          "--database-url={refusing_url}?sslmode=disable\n&connect_timeout=5"},
                 .server = Target::none,
                 .says = {"invalid database URL: invalid sslmode value: \"disable\n\""}},
        // The whole URL reaches libpq, '#' and all: the error is about sslmode, not a port cut from the
        // password.
        BadInput{
            .label = "HashInAConfigFilePassword",
            .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
            .work_files =
                {{"pgentry.conf",
                  "database-url = postgresql://app:Bad-Input-S3cret#1@127.0.0.1:1/app?sslmode=sometimes\n"}},
            .server = Target::none,
            .says = {"invalid database URL: invalid sslmode value: \"sometimes\""}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    MigrationFiles, BadInputTest,
    ::testing::Values(
        BadInput{.label = "NulByte",
                 .args = migrate_only,
                 .files = {{valid, "SELECT 1;\n"}, {"20240101000001_nul.sql", "SELECT 1;\0\nSELECT 2;\n"s}},
                 .exit_code = 65,
                 .says = {"20240101000001_nul.sql:1: NUL byte"}},
        BadInput{.label = "NulByteOnLaterLine",
                 .args = migrate_only,
                 .files = {{"20240101000001_nul.sql", "-- migrate:up\nSELECT 1;\n\0"s}},
                 .exit_code = 65,
                 .says = {"20240101000001_nul.sql:3: NUL byte"}},
        BadInput{
            .label = "TransactionControlInATransactionalSection",
            .args = migrate_only,
            .files = {{"20240101000001_accounts.sql",
                       "-- migrate:up\nBEGIN;\nCREATE TABLE accounts (id int, owner_id int);\nCOMMIT;\n"
                       "CREATE INDEX accounts_owner ON accounts (owner_id);\n"}},
            .exit_code = 65,
            .says = {"20240101000001_accounts.sql:2: transaction control 'BEGIN;' in a transactional section",
                     "would commit half a migration", "use '-- migrate:up transaction:false'"}},
        BadInput{.label = "Utf16File",
                 .args = migrate_only,
                 .files = {{"20240101000001_a.sql", utf16_le("CREATE TABLE a (id int);\n")}},
                 .exit_code = 65,
                 .says = {"20240101000001_a.sql:1: the file is UTF-16", "save it as UTF-8"}},
        BadInput{
            .label = "CopyToStdout",
            .args = migrate_only,
            .files = {{"20240101000001_export.sql", "CREATE TABLE t (a int);\nCOPY t TO STDOUT;\n"}},
            .exit_code = 65,
            .says =
                {"20240101000001_export.sql:2: 'COPY t TO STDOUT;': COPY ... TO STDOUT is not supported"}},
        BadInput{
            .label = "CopyWithoutEndOfData",
            .args = migrate_only,
            .files = {{"20240101000001_load.sql", "CREATE TABLE t (a int);\nCOPY t FROM stdin;\n1\n2\n"}},
            .exit_code = 65,
            .says = {"20240101000001_load.sql:2: 'COPY t FROM stdin;': no line '\\.' ends its data (from "
                     "line 3"}},
        BadInput{
            .label = "CopyNotEndingItsLine",
            .args = migrate_only,
            .files = {{"20240101000001_load.sql",
                       "CREATE TABLE t (a int);\nCOPY t FROM stdin; SELECT 1;\n1\n\\.\n"}},
            .exit_code = 65,
            .says =
                {"20240101000001_load.sql:2: 'COPY t FROM stdin;': COPY ... FROM STDIN must end its line"}},
        BadInput{.label = "MarkerEndingInALoneCr",
                 .args = migrate_only,
                 .files = {{"20240101000001_x.sql",
                            "-- migrate:up\rCREATE TABLE t (a int);\r-- migrate:down\rDROP TABLE t;\r"}},
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: a carriage return (CR) without LF after '-- migrate:up': "
                          "PostgreSQL ends a line there, dbmate does not",
                          "save the file with LF or CRLF line endings"}},
        BadInput{
            .label = "MarkerAfterALoneCr",
            .args = migrate_only,
            .files = {{"20240101000001_x.sql",
                       "-- migrate:up\nCREATE TABLE t (a int);\n-- done\r-- migrate:down\nDROP TABLE t;\n"}},
            .exit_code = 65,
            .says = {"20240101000001_x.sql:4: '-- migrate:down' after a carriage return (CR) without LF",
                     "save the file with LF or CRLF line endings"}},
        BadInput{.label = "UnknownMarker",
                 .args = migrate_only,
                 .files = {{"20240101000001_x.sql", "-- migrate:sideways\nSELECT 1;\n"}},
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: unknown marker '-- migrate:sideways'"}},
        // The bodies are read while the first connection is made (pipeline/read_ahead.hpp); a bad one is
        // still reported at once and before anything the connection says, as when the files were read first.
        BadInput{.label = "BadBodyWhileTheServerIsSilent",
                 .args = {"--mode=migrate-only", "--wait-timeout=30s", "--database-url={fake_url}"},
                 .files = {{"20240101000001_x.sql", "-- migrate:sideways\nSELECT 1;\n"}},
                 .server = Target::silent,
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: unknown marker '-- migrate:sideways'"},
                 .max_elapsed = 5s},
        BadInput{.label = "BadBodyWithTheDatabaseUp",
                 .args = migrate_only,
                 .files = {{valid, "CREATE TABLE valid (id int);\n"},
                           {"20240101000001_x.sql", "-- migrate:sideways\nSELECT 1;\n"}},
                 .server = Target::database,
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: unknown marker '-- migrate:sideways'"},
                 .max_elapsed = 5s},
        BadInput{.label = "BadBodyBeforeRefusedCredentials",
                 .args = {"--mode=migrate-only", "--database-url={wrong_password_url}"},
                 .files = {{"20240101000001_x.sql", "-- migrate:sideways\nSELECT 1;\n"}},
                 .server = Target::database,
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: unknown marker '-- migrate:sideways'"},
                 .max_elapsed = 5s},
        BadInput{.label = "BadBodyBeforeABadUrl",
                 .args = {"--mode=migrate-only", "--database-url=mysql://app:Bad-Input-S3cret@h/app"},
                 .files = {{"20240101000001_x.sql", "-- migrate:sideways\nSELECT 1;\n"}},
                 .exit_code = 65,
                 .says = {"20240101000001_x.sql:1: unknown marker '-- migrate:sideways'"}},
        BadInput{.label = "MigrationsDirIsAFile",
                 .args = {"--mode=migrate-only", "--migrations-dir={work}/file.sql"},
                 .work_files = {{"file.sql", "SELECT 1;\n"}},
                 .exit_code = 66,
                 .says = {"{work}/file.sql: migrations directory is not a directory"}},
        BadInput{.label = "DanglingSymlink",
                 .args = migrate_only,
                 .prepare = dangling_symlink,
                 .exit_code = 66,
                 .says = {"20240101000001_gone.sql: cannot read", "No such file or directory"}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    Permissions, BadInputTest,
    ::testing::Values(
        BadInput{.label = "UnreadableFile",
                 .args = migrate_only,
                 .files = {{valid, "SELECT 1;\n"}, {"20240101000001_secret.sql", "SELECT 1;\n"}},
                 .prepare = unreadable_file,
                 .as_nobody = true,
                 .exit_code = 66,
                 .says = {"20240101000001_secret.sql: cannot read", "Permission denied"}},
        BadInput{.label = "UnreadableDirectory",
                 .args = migrate_only,
                 .files = {{valid, "SELECT 1;\n"}},
                 .prepare = unreadable_dir,
                 .as_nobody = true,
                 .exit_code = 66,
                 .says = {"{dir}: cannot read migrations directory", "Permission denied"}},
        BadInput{.label = "UnlistableDirectory",
                 .args = migrate_only,
                 .files = {{valid, "SELECT 1;\n"}},
                 .prepare = unlistable_dir,
                 .as_nobody = true,
                 .exit_code = 66,
                 .says = {"{dir}: cannot read migrations directory", "Permission denied"}},
        BadInput{.label = "UnreadableConfig",
                 .args = {"--mode=migrate-only", "--config={work}/pgentry.conf"},
                 .work_files = {{"pgentry.conf", "lock = table\n"}},
                 .prepare = unreadable_config,
                 .as_nobody = true,
                 .says = {"--config: cannot read config file {work}/pgentry.conf", "Permission denied"}},
        BadInput{.label = "UnreadableUrlFile",
                 .args = {"--mode=migrate-only", "--database-url-file={work}/database-url"},
                 .work_files = {{"database-url", "postgresql://app:Bad-Input-S3cret@127.0.0.1/app\n"}},
                 .prepare = unreadable_url_file,
                 .as_nobody = true,
                 .says = {"--database-url-file: cannot read {work}/database-url", "Permission denied"}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    Servers, BadInputTest,
    ::testing::Values(
        BadInput{
            .label = "ClosedPort",
            .args = {"--mode=migrate-only", "--wait-timeout=1s", "--database-url={refusing_url}"},
            .server = Target::none,
            .exit_code = 69,
            .says = {"could not reach the database at 127.0.0.1:{closed_port} within", "connection refused"},
            .min_elapsed = 900ms},
        BadInput{.label = "NotPostgresAnswersGarbage",
                 .args = {"--mode=migrate-only", "--wait-timeout=1s", "--database-url={fake_url}"},
                 .server = Target::garbage,
                 .exit_code = 69,
                 .says = {"could not reach the database at 127.0.0.1:{fake_port} within", "invalid response"},
                 .min_elapsed = 900ms},
        BadInput{.label = "NotPostgresClosesAtOnce",
                 .args = {"--mode=migrate-only", "--wait-timeout=1s", "--database-url={fake_url}"},
                 .server = Target::closes,
                 .exit_code = 69,
                 .says = {"could not reach the database at 127.0.0.1:{fake_port} within",
                          "server closed the connection unexpectedly"},
                 .min_elapsed = 900ms},
        BadInput{.label = "NotPostgresSilent",
                 .args = {"--mode=migrate-only", "--wait-timeout=1s", "--database-url={fake_url}"},
                 .server = Target::silent,
                 .exit_code = 69,
                 .says = {"could not reach the database at 127.0.0.1:{fake_port} within", "timed out"},
                 .min_elapsed = 900ms},
        // The attempt --wait-timeout cuts short says only "timed out": the last line keeps the reason the
        // attempts before it gave (a standby's 57P03 and its DETAIL, a missing database).
        BadInput{
            .label = "LastAttemptCutShortKeepsTheReason",
            .args = {"--mode=migrate-only", "--wait-timeout=1s", "--database-url={fake_url}?sslmode=disable"},
            .server = Target::closes_then_silent,
            .exit_code = 69,
            .says = {"could not reach the database at 127.0.0.1:{fake_port} within",
                     "s: server closed the connection unexpectedly"},
            .min_elapsed = 900ms},
        // What channel_binding=require asks of a server that cannot give it (here no SSL; over a socket, no
        // SCRAM) does not come with waiting: 69 at the first attempt.
        BadInput{.label = "ChannelBindingTheServerCannotGive",
                 .args = {"--mode=migrate-only", "--wait-timeout=30s", "--database-url={db_url}"},
                 .env = {{"PGCHANNELBINDING", "require"}, {"PGSSLMODE", "disable"}},
                 .server = Target::database,
                 .exit_code = 69,
                 .says = {"not retried: channel binding required"},
                 .max_elapsed = 5s},
        BadInput{.label = "NotPostgresSilentSingleAttempt",
                 .args = {"--mode=wait-only", "--wait-timeout=0", "--database-url={fake_url}"},
                 .server = Target::silent,
                 .exit_code = 69,
                 .says = {"could not reach the database at 127.0.0.1:{fake_port}", "timed out"}},
        BadInput{.label = "WrongPassword",
                 .args = {"--mode=migrate-only", "--database-url={wrong_password_url}"},
                 .server = Target::none,
                 .exit_code = 77,
                 .says = {"refused the credentials", "password authentication failed for user \"{user}\""}},
        BadInput{.label = "UnknownDatabase",
                 .args = {"--mode=wait-only", "--wait-timeout=1s", "--database-url={no_such_db_url}"},
                 .server = Target::none,
                 .exit_code = 69,
                 .says = {"could not reach the database", "_does_not_exist\" does not exist"},
                 .min_elapsed = 900ms},
        BadInput{.label = "DatabaseNamedLikeThePassword",
                 .args = {"--mode=wait-only", "--wait-timeout=1s", "--database-url={app_db_url}"},
                 .server = Target::none,
                 .exit_code = 69,
                 .says = {"could not reach the database", "database \"app\" does not exist"},
                 .min_elapsed = 900ms},
        // The server's reason stays, and libpq's note of where the password came from.
        BadInput{.label = "PgpassPasswordRefused",
                 .args = {"--mode=wait-only", "--wait-timeout=30s", "--database-url={no_password_url}"},
                 .env = {{"PGPASSFILE", "{work}/pgpass"}, {"PGPASSWORD", ""}},
                 .work_files = {{"pgpass", "*:*:*:*:Wrong-Bad-Input-S3cret\n"}},
                 .prepare = private_pgpass,
                 .server = Target::none,
                 .exit_code = 77,
                 .says = {"refused the credentials: password authentication failed for user \"{user}\"; "
                          "password retrieved from file \"{work}/pgpass\""},
                 .max_elapsed = 5s,
                 .over_tcp = true},
        // Failures that waiting cannot fix: 69 at the first attempt. TLS and PgBouncer ones:
        // connect_failure_test.cpp.
        BadInput{
            .label = "SslRequiredByAServerWithoutSsl",
            .args = {"--mode=wait-only", "--wait-timeout=30s", "--database-url={db_url}?sslmode=require"},
            .server = Target::none,
            .exit_code = 69,
            .says = {"not retried: server does not support SSL, but SSL was required"},
            .max_elapsed = 5s,
            .over_tcp = true},
        BadInput{.label = "StartupParameterRefused",
                 .args = {"--mode=wait-only", "--wait-timeout=30s",
                          "--database-url={db_url}?options=-c%20work_mem%3Dabc"},
                 .server = Target::none,
                 .exit_code = 69,
                 .says = {"not retried: invalid value for parameter \"work_mem\": \"abc\""},
                 .max_elapsed = 5s},
        // A server error outside the migrations' SQL names the step, the SQLSTATE and a hint.
        BadInput{.label = "ReadOnlyServer",
                 .args = {"--mode=migrate-only",
                          "--database-url={db_url}?options=-c%20default_transaction_read_only%3Don"},
                 .files = {{valid, "SELECT 1;\n"}},
                 .server = Target::none,
                 .exit_code = 70,
                 .says = {"creating the history table: SQLSTATE 25006: cannot execute CREATE TABLE in a "
                          "read-only transaction; HINT: the server is read-only",
                          "point the database URL at the primary"}},
        BadInput{.label = "ReadOnlyServerJson",
                 .args = {"--mode=migrate-only", "--log-format=json",
                          "--database-url={db_url}?options=-c%20default_transaction_read_only%3Don"},
                 .files = {{valid, "SELECT 1;\n"}},
                 .server = Target::none,
                 .exit_code = 70,
                 .says = {R"("step":"creating the history table")", R"("sqlstate":"25006")"}}),
    [](const auto& info) { return info.param.label; });

INSTANTIATE_TEST_SUITE_P(
    Command, BadInputTest,
    ::testing::Values(BadInput{.label = "UnknownUser",
                               .args = {"--user=no-such-user-pgentry", "--", "true"},
                               .server = Target::database,
                               .exit_code = 67,
                               .says = {"--user: unknown user 'no-such-user-pgentry'"}},
                      BadInput{.label = "UnknownGroup",
                               .args = {"--user=root:no-such-group-pgentry", "--", "true"},
                               .server = Target::database,
                               .exit_code = 67,
                               .says = {"--user: unknown group 'no-such-group-pgentry'"}},
                      BadInput{.label = "UnknownUserLaunchOnly",
                               .args = {"--mode=launch-only", "--user=no-such-user-pgentry", "--", "true"},
                               .exit_code = 67,
                               .says = {"--user: unknown user 'no-such-user-pgentry'"}},
                      BadInput{.label = "CommandNotFoundOnPath",
                               .args = {"--", "pgentry-no-such-command"},
                               .server = Target::database,
                               .exit_code = 127,
                               .says = {"cannot run 'pgentry-no-such-command'", "No such file or directory"}},
                      BadInput{.label = "CommandNotFoundByPath",
                               .args = {"--", "{work}/missing-server"},
                               .server = Target::database,
                               .exit_code = 127,
                               .says = {"cannot run '{work}/missing-server'"}},
                      BadInput{.label = "CommandNotFoundExec",
                               .args = {"--launch=exec", "--", "pgentry-no-such-command"},
                               .server = Target::database,
                               .exit_code = 127,
                               .says = {"cannot run 'pgentry-no-such-command'"}},
                      BadInput{.label = "CommandNotFoundLaunchOnly",
                               .args = {"--mode=launch-only", "--", "pgentry-no-such-command"},
                               .exit_code = 127,
                               .says = {"cannot run 'pgentry-no-such-command'"}},
                      BadInput{.label = "CommandNotExecutable",
                               .args = {"--", "{work}/not-executable.sh"},
                               .prepare = make_not_executable,
                               .server = Target::database,
                               .exit_code = 126,
                               .says = {"cannot run '{work}/not-executable.sh'", "Permission denied"}},
                      BadInput{.label = "CommandNotExecutableExec",
                               .args = {"--launch=exec", "--", "{work}/not-executable.sh"},
                               .prepare = make_not_executable,
                               .server = Target::database,
                               .exit_code = 126,
                               .says = {"cannot run '{work}/not-executable.sh'", "Permission denied"}},
                      BadInput{.label = "CommandIsADirectory",
                               .args = {"--mode=launch-only", "--", "{work}"},
                               .exit_code = 126,
                               .says = {"cannot run '{work}'"}}),
    [](const auto& info) { return info.param.label; });

// --- a read-only migrations directory is enough -----------------------------------------------------

// pgentry only reads the directory: a read-only mount (a ConfigMap, a read-only image layer) must migrate.
class ReadOnlyMigrations : public PgentryTest {
protected:
    // Runs pgentry with the migrations directory read-only: as root a read-only bind mount in a private mount
    // namespace (chmod does not stop root); otherwise the directory and its files lose their write bits.
    RunResult run_read_only(const std::string& mode) {
        const auto argv = command(mode);
        if (::geteuid() != 0) {
            set_mode(dir.path(), 0555);
            for (const auto& entry : fs::directory_iterator(dir.path())) {
                set_mode(entry.path(), 0444);
            }
            auto result = run(argv);
            set_mode(dir.path(), 0755);
            return result;
        }
        if (run({"unshare", "--mount", "--propagation=private", "true"}, {}, 20s).exit_code != 0) {
            return {};  // exit_code -1: the caller skips
        }
        // Exit 90: the mount did not happen; 91: the directory is writable after all (the test would prove
        // nothing).
        Args wrapped{"unshare",
                     "--mount",
                     "--propagation=private",
                     "--",
                     "/bin/sh",
                     "-c",
                     R"(mount --bind -o ro "$0" "$0" || exit 90
                        touch "$0/.probe" 2>/dev/null && exit 91
                        exec "$@")",
                     dir.str()};
        wrapped.insert(wrapped.end(), argv.begin(), argv.end());
        return run(wrapped);
    }
};

TEST_F(ReadOnlyMigrations, MigrateOnlyAppliesAndVerifyPasses) {
    dir.write("20240101000001_users.sql",
              "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n");
    dir.write("20240101000002_posts.sql", "CREATE TABLE posts (id int);\n");

    const auto migrated = run_read_only("migrate-only");
    if (migrated.exit_code == -1) {
        GTEST_SKIP()
            << "cannot make a private mount namespace (unshare --mount) to mount the directory read-only";
    }
    ASSERT_NE(migrated.exit_code, 90) << "mount --bind -o ro failed: " << migrated;
    ASSERT_NE(migrated.exit_code, 91) << "the directory was still writable: " << migrated;
    EXPECT_EQ(migrated.exit_code, 0) << migrated;
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001, 20240101000002}));
    EXPECT_TRUE(db.has_table("posts"));

    const auto verified = run_read_only("verify");
    EXPECT_EQ(verified.exit_code, 0) << verified;
    EXPECT_FALSE(fs::exists(dir.path() / ".probe"));
}

}  // namespace
}  // namespace pgentry::test
