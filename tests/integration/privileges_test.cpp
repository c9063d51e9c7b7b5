// Least-privilege roles: what a role that owns little can do works, and what it may not do fails saying
// what pgentry was doing, the SQLSTATE and what to grant. PostgreSQL 15: ordinary roles may not create in
// schema public, nor schemas in the database.
#include "pgentry.hpp"
#include "role.hpp"

namespace pgentry::test {
namespace {

using Privileges = PgentryTest;

const std::string ecto_table(ecto_schema_migrations);

TEST_F(Privileges, ARoleThatOwnsItsSchemaButMayNotCreateSchemasMigrates) {
    TestRole app(db);
    db.sql().exec("CREATE SCHEMA app AUTHORIZATION " + app.name());
    dir.write("1_items.sql", "CREATE TABLE app.items (id int);\n");

    const auto result = run(command(app.url(), "migrate-only", {"--migrations-table=app.schema_migrations"}));
    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM app.schema_migrations WHERE version = 1"), 1);
}

TEST_F(Privileges, AnEctoTableOwnedByAnotherRoleBootsWithAWarning) {
    TestRole app(db);
    db.sql().exec(ecto_table +
                  "; INSERT INTO schema_migrations VALUES (1, now()); GRANT ALL ON schema_migrations TO " +
                  app.name() + "; GRANT CREATE ON SCHEMA public TO " + app.name());
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");

    // Nothing to write: the table is left as it is, and nothing is said about it.
    const auto up = run(command(app.url(), "migrate-only", {}));
    EXPECT_EQ(up.exit_code, 0) << up;
    EXPECT_TRUE(contains(up.err, "Migrations already up"));
    EXPECT_FALSE(contains(up.err, "[warn]")) << up;

    // Pending migrations: the column cannot be added, and they are recorded without a checksum.
    dir.write("2_b.sql", "CREATE TABLE b (id int);\n");
    const auto pending = run(command(app.url(), "migrate-only", {}));
    EXPECT_EQ(pending.exit_code, 0) << pending;
    const auto warning = line_with(pending.err, {"[warn]", "could not add the checksum column"});
    EXPECT_TRUE(contains(warning, "42501")) << pending;
    EXPECT_TRUE(contains(
        warning, "table's owner run ALTER TABLE \"public\".\"schema_migrations\" ADD COLUMN checksum text"))
        << pending;
    EXPECT_FALSE(db.has_column("schema_migrations", "checksum"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1, 2}));
}

TEST_F(Privileges, AConnectOnlyRoleIsToldToGrantCreateOnTheSchema) {
    TestRole app(db);
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = run(command(app.url(), "migrate-only", {"--log-format=json"}));
    EXPECT_EQ(result.exit_code, 70) << result;
    const auto error = line_with(result.err, {"\"error\"", "creating the history table"});
    EXPECT_TRUE(contains(error, "SQLSTATE 42501: permission denied for schema public")) << result;
    EXPECT_TRUE(contains(error, "GRANT CREATE ON SCHEMA \\\"public\\\" TO \\\"" + app.name())) << result;
    EXPECT_TRUE(contains(error, "\"sqlstate\":\"42501\"")) << result;
    EXPECT_FALSE(db.has_table("schema_migrations"));
}

TEST_F(Privileges, ARoleWithoutPrivilegesOnTheTableIsToldWhatToGrant) {
    TestRole app(db);
    db.sql().exec(ecto_table);
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = run(command(app.url(), "migrate-only", {}));
    EXPECT_EQ(result.exit_code, 70) << result;
    const auto error = line_with(result.err, {"[error]", "reading the history"});
    EXPECT_TRUE(contains(error, "SQLSTATE 42501: permission denied for table schema_migrations")) << result;
    EXPECT_TRUE(contains(error, "GRANT SELECT, INSERT, UPDATE, DELETE ON \"public\".\"schema_migrations\"") ||
                contains(error, "GRANT SELECT, INSERT, UPDATE, DELETE ON \"schema_migrations\""))
        << result;
}

TEST_F(Privileges, ARoleThatMayOnlyReadAndInsertIsToldWhatTheLockNeeds) {
    TestRole app(db);
    db.sql().exec(ecto_table +
                  "; ALTER TABLE schema_migrations ADD COLUMN checksum text; GRANT SELECT, INSERT ON "
                  "schema_migrations TO " +
                  app.name());
    dir.write("1_a.sql", "CREATE TABLE a (id int);\n");

    const auto result = run(command(app.url(), "migrate-only", {}));
    EXPECT_EQ(result.exit_code, 70) << result;
    const auto error = line_with(result.err, {"[error]", "taking the migration lock"});
    EXPECT_TRUE(contains(error, "SQLSTATE 42501")) << result;
    EXPECT_TRUE(contains(error, "needs UPDATE, DELETE or TRUNCATE on the table")) << result;
    EXPECT_TRUE(contains(
        error,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON \"public\".\"schema_migrations\" TO \"" + app.name() + "\""))
        << result;
    EXPECT_FALSE(db.has_table("a"));
}

}  // namespace
}  // namespace pgentry::test
