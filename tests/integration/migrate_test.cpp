// Applying migrations: order, records, adoption of Ecto's table, failures and their aftermath.
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// The example of the issue: a Phoenix app's users table, then two changes to it.
constexpr std::string_view create_users = R"(-- migrate:up
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  first_name text,
  last_name text,
  email text NOT NULL
);
CREATE UNIQUE INDEX users_email_index ON users (email);

-- migrate:down
DROP TABLE users;
)";

constexpr std::string_view drop_last_name = R"(-- migrate:up
ALTER TABLE users DROP COLUMN last_name;

-- migrate:down
ALTER TABLE users ADD COLUMN last_name text;
)";

constexpr std::string_view drop_users = R"(-- migrate:up
DROP TABLE users;

-- migrate:down
CREATE TABLE users (id bigserial PRIMARY KEY, first_name text, email text NOT NULL);
CREATE UNIQUE INDEX users_email_index ON users (email);
)";

class Migrate : public PgentryTest {
protected:
    void write_example(bool with_drop_users = true) const {
        dir.write("20240705205730_create_users.sql", create_users);
        dir.write("20240706101500_drop_last_name.sql", drop_last_name);
        if (with_drop_users) {
            dir.write("20240707120000_drop_users.sql", drop_users);
        }
    }
};

TEST_F(Migrate, AppliesTheExampleInVersionOrderThenHasNothingToDo) {
    write_example();

    const auto first = migrate();
    ASSERT_EQ(first.exit_code, 0) << first;
    const auto running_create = first.err.find("== Running 20240705205730 create_users forward");
    const auto running_drop_column = first.err.find("== Running 20240706101500 drop_last_name forward");
    const auto running_drop_table = first.err.find("== Running 20240707120000 drop_users forward");
    ASSERT_NE(running_create, std::string::npos) << first;
    EXPECT_LT(running_create, running_drop_column) << first;
    EXPECT_LT(running_drop_column, running_drop_table) << first;
    EXPECT_TRUE(contains(first.err, "== Migrated 20240705205730 in "));
    EXPECT_FALSE(db.has_table("users"));

    const auto second = migrate();
    EXPECT_EQ(second.exit_code, 0) << second;
    EXPECT_TRUE(contains(second.err, "Migrations already up"));
    EXPECT_FALSE(contains(second.err, "== Running")) << second;

    const auto records = db.sql().rows(
        "SELECT version, inserted_at IS NOT NULL, checksum ~ '^[0-9a-f]{64}$' "
        "FROM schema_migrations ORDER BY version");
    const std::vector<Row> expected{
        {"20240705205730", "t", "t"}, {"20240706101500", "t", "t"}, {"20240707120000", "t", "t"}};
    EXPECT_EQ(records, expected);
}

TEST_F(Migrate, LeavesTheSchemaOfTheFirstTwoMigrations) {
    write_example(false);

    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_column("users", "first_name"));
    EXPECT_TRUE(db.has_column("users", "email"));
    EXPECT_FALSE(db.has_column("users", "last_name"));
    EXPECT_EQ(
        db.sql().count("SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('users_email_index') "
                       "AND indisunique"),
        1);
}

TEST_F(Migrate, ChecksumIsTheSha256OfTheFileWithoutMarkersAfterCrlfNormalization) {
    const std::string plain = "CREATE TABLE plain (id int);\n";
    dir.write("1_plain.sql", plain);
    dir.write("2_crlf.sql", "CREATE TABLE crlf (id int);\r\nCREATE TABLE crlf2 (id int);\r\n");

    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.sql().scalar("SELECT checksum FROM schema_migrations WHERE version = 1"), sha256_hex(plain));
    EXPECT_EQ(db.sql().scalar("SELECT checksum FROM schema_migrations WHERE version = 2"),
              sha256_hex("CREATE TABLE crlf (id int);\nCREATE TABLE crlf2 (id int);\n"));
    EXPECT_TRUE(db.has_table("crlf2"));
}

TEST_F(Migrate, AdoptsATableMadeByEcto) {
    db.sql().exec(std::string(ecto_schema_migrations));
    db.sql().exec("INSERT INTO schema_migrations VALUES (20240705205730, '2024-07-05 20:57:30')");
    db.sql().exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, first_name text, last_name text, "
        "email text NOT NULL)");
    write_example();

    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_column("schema_migrations", "checksum"));
    EXPECT_FALSE(contains(result.err, "== Running 20240705205730")) << "re-ran a migration Ecto applied";
    EXPECT_TRUE(contains(result.err, "== Running 20240706101500 drop_last_name forward"));
    EXPECT_EQ(db.applied_versions(),
              (std::vector<std::int64_t>{20240705205730, 20240706101500, 20240707120000}));
    EXPECT_EQ(
        db.sql().scalar("SELECT inserted_at::text FROM schema_migrations WHERE version = 20240705205730"),
        "2024-07-05 20:57:30");
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM schema_migrations WHERE version > 20240705205730 "
                             "AND checksum ~ '^[0-9a-f]{64}$'"),
              2);

    // A row without a checksum is unverified, not changed.
    const auto verify = pgentry("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify;
    const auto again = migrate();
    EXPECT_EQ(again.exit_code, 0) << again;
    EXPECT_TRUE(contains(again.err, "Migrations already up"));
}

TEST_F(Migrate, FailureInTheMiddleKeepsEarlierOnesAndLeavesNothingOfTheFailedOne) {
    dir.write("20240101000001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n");
    dir.write("20240101000002_b.sql",
              "-- migrate:up\nCREATE TABLE b (id int);\nINSERT INTO missing VALUES (1);\n");
    dir.write("20240101000003_c.sql", "-- migrate:up\nCREATE TABLE c (id int);\n");

    const auto failed = migrate();
    EXPECT_EQ(failed.exit_code, 70) << failed;
    EXPECT_FALSE(line_with(failed.err, {"20240101000002_b.sql:3", "42P01"}).empty())
        << "no error line names the file, line 3 and the SQLSTATE:\n"
        << failed;
    EXPECT_TRUE(contains(failed.err, "missing"));
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM a"), 1);
    EXPECT_FALSE(db.has_table("b"));
    EXPECT_FALSE(db.has_table("c"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001}));

    dir.write("20240101000002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n");
    const auto fixed = migrate();
    EXPECT_EQ(fixed.exit_code, 0) << fixed;
    EXPECT_TRUE(db.has_table("c"));
    EXPECT_EQ(db.applied_versions().size(), 3U);
}

TEST_F(Migrate, FailingStatementOfAFileWithoutMarkersNamesItsLine) {
    dir.write("20240101000001_bad.sql",
              "-- no markers: the whole file is the up section\n\nSELECT * FROM missing;\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"20240101000001_bad.sql:3", "42P01"}).empty()) << result;
    EXPECT_TRUE(db.applied_versions().empty());
}

TEST_F(Migrate, ErrorNamesTheLineTheServerPointsAtInAMultiLineStatement) {
    dir.write("20240101000001_bad.sql",
              "-- migrate:up\nCREATE TABLE fine (id int);\nSELECT 1\n  FROM pg_class\n"
              "  WHERE no_such_column = 1;\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"20240101000001_bad.sql:5", "42703", "no_such_column"}).empty())
        << result;
    EXPECT_FALSE(db.has_table("fine"));
}

TEST_F(Migrate, StatementTimeoutFailsALongStatement) {
    dir.write("20240101000001_slow.sql", "-- migrate:up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(5);\n");

    const auto result = migrate({"--statement-timeout=1s"});
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_TRUE(contains(result.err, "57014"));
    EXPECT_LT(result.elapsed, 4500ms) << result;
    EXPECT_FALSE(db.has_table("slow"));
    EXPECT_TRUE(db.applied_versions().empty());
}

TEST_F(Migrate, RunsATransactionFalseSectionStatementByStatement) {
    dir.write("20240101000001_emails.sql", R"(-- migrate:up transaction:false
CREATE TABLE emails (id bigint, address text);
CREATE FUNCTION normalized(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
  RETURN lower(t);  -- a ';' inside a dollar quote ends nothing
END;
$fn$;
CREATE INDEX CONCURRENTLY emails_address ON emails (address);
/* a comment; with a semicolon */
CREATE INDEX CONCURRENTLY emails_normalized ON emails (normalized(address));

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY emails_normalized;
DROP INDEX CONCURRENTLY emails_address;
DROP TABLE emails;
DROP FUNCTION normalized(text);
)");

    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid IN "
                             "(to_regclass('emails_address'), to_regclass('emails_normalized'))"),
              2);
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001}));

    const auto rollback = pgentry("rollback");
    EXPECT_EQ(rollback.exit_code, 0) << rollback;
    EXPECT_FALSE(db.has_table("emails"));
    EXPECT_TRUE(db.applied_versions().empty());
}

TEST_F(Migrate, AppliedVersionWithoutFileIsOnlyAWarning) {
    dir.write("20240101000001_old.sql", "CREATE TABLE old (id int);\n");
    ASSERT_EQ(migrate().exit_code, 0);
    dir.remove("20240101000001_old.sql");
    dir.write("20240101000002_new.sql", "CREATE TABLE new (id int);\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(line_with(result.err, {"[warn]", "20240101000001"}).empty()) << result;
    EXPECT_TRUE(db.has_table("new"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001, 20240101000002}));
}

TEST_F(Migrate, AppliesAPendingVersionOlderThanTheNewestApplied) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");
    dir.write("20240101000003_c.sql", "CREATE TABLE c (id int);\n");
    ASSERT_EQ(migrate().exit_code, 0);
    dir.write("20240101000002_b.sql", "CREATE TABLE b (id int);\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_table("b"));
    EXPECT_EQ(db.applied_versions(),
              (std::vector<std::int64_t>{20240101000001, 20240101000002, 20240101000003}));
}

TEST_F(Migrate, IgnoresOtherFilesAndAcceptsAnEmptyMigration) {
    dir.write("README.md", "not a migration\n");
    dir.write("notes.txt", "-- migrate:nonsense\n");
    dir.write(".20240101000009_hidden.sql", "THIS IS NOT SQL;\n");
    dir.write("20240101000001_empty.sql", "");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{20240101000001}));
}

TEST_F(Migrate, RunModeMigratesThenRunsTheCommandConfiguredFromTheEnvironment) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");

    // As in a Dockerfile: configuration in the environment, the command after the options.
    const auto result = run({pgentry_bin(), "/bin/sh", "-c", "test -n \"$DATABASE_URL\" && exit 7"},
                            {{"DATABASE_URL", db.url()}, {"PGENTRY_MIGRATIONS_DIR", dir.str()}});
    EXPECT_EQ(result.exit_code, 7) << result;
    EXPECT_TRUE(db.has_table("a"));
}

TEST_F(Migrate, WaitOnlyAppliesNothing) {
    dir.write("20240101000001_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = pgentry("wait-only");
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_FALSE(db.has_table("a"));
    EXPECT_TRUE(db.applied_versions().empty());
}

// PostgreSQL's lexer and psql -f end a "--" comment at a CR as at an LF (scan.l: newline [\n\r]).
class MigrationLineEnds : public PgentryTest {};

TEST_F(MigrationLineEnds, ACrEndsACommentAndTheStatementsAfterItRun) {
    const std::string cr_only = "-- add a table\rCREATE TABLE crtab(a int);\r";
    const std::string stray_cr = "-- migrate:up\n-- note\rCREATE TABLE crtab2(a int);\n";
    dir.write("1_a.sql", cr_only);
    dir.write("2_b.sql", stray_cr);

    const auto result = migrate();
    ASSERT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_table("crtab"));
    EXPECT_TRUE(db.has_table("crtab2"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1, 2}));

    // SPEC.md's checksum: the up section as it is, CRLF normalized and nothing else.
    EXPECT_EQ(db.sql().scalar("SELECT checksum FROM schema_migrations WHERE version = 1"),
              sha256_hex(cr_only));
}

TEST_F(MigrationLineEnds, AnErrorNamesTheLineAfterLoneCrs) {
    dir.write("1_bad.sql", "-- migrate:up\nSELECT 1\r  FROM pg_class\r  WHERE no_such_column = 1;\n");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 70) << result;
    EXPECT_FALSE(line_with(result.err, {"1_bad.sql:4", "42703", "no_such_column"}).empty()) << result;
}

TEST_F(MigrationLineEnds, AMarkerFileWithCrLineEndsIsRefusedAndNothingIsRecorded) {
    // dbmate reads it as one line and finds no down marker; pgentry refuses it before running anything.
    dir.write("1_first.sql", "CREATE TABLE first_table (a int);\n");
    dir.write("2_b.sql", "-- migrate:up\rCREATE TABLE crtab3(a int);\r-- migrate:down\rDROP TABLE crtab3;\r");

    const auto result = migrate();
    EXPECT_EQ(result.exit_code, 65) << result;
    EXPECT_TRUE(contains(result.err, "2_b.sql:1: a carriage return (CR) without LF after '-- migrate:up'"));
    EXPECT_TRUE(contains(result.err, "save the file with LF or CRLF line endings"));
    EXPECT_TRUE(db.applied_versions().empty());
    EXPECT_FALSE(db.has_table("first_table"));
    EXPECT_FALSE(db.has_table("crtab3"));
}

}  // namespace
}  // namespace pgentry::test
