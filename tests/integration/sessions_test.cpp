// pgentry's own session state: nothing it sets stays on a server connection that PgBouncer in
// transaction pooling then gives to the application, and what one migration changes with SET, SET ROLE
// or set_config neither reaches the next migration nor breaks pgentry's own statements.
#include "pgbouncer.hpp"
#include "pgentry.hpp"
#include "role.hpp"

namespace pgentry::test {
namespace {

using Sessions = PgentryTest;

// Set on the database so that a leaked value shows: the server's defaults are pgentry's pinned values.
const std::vector<std::string> watched = {"idle_in_transaction_session_timeout",
                                          "client_connection_check_interval", "statement_timeout",
                                          "search_path", "idle_session_timeout"};

TEST_F(Sessions, NothingLeaksIntoTheApplicationsPooledConnections) {
    db.admin().exec("ALTER DATABASE " + db.name() +
                    " SET idle_in_transaction_session_timeout = '10min'; ALTER DATABASE " + db.name() +
                    " SET idle_session_timeout = '20min'; ALTER DATABASE " + db.name() +
                    " SET statement_timeout = '30min'");
    std::vector<Value> defaults;
    Connection direct(db.conninfo("defaults"));
    for (const auto& setting : watched) {
        defaults.push_back(direct.scalar("SHOW " + setting));
    }

    dir.write("1_t.sql",
              "SET search_path TO pg_catalog, public; SET statement_timeout = '7s';\n"
              "SELECT set_config('client_connection_check_interval', '3s', false);\n"
              "CREATE TABLE public.t (id int);\n");
    dir.write("2_index.sql", "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
    // Two server connections: the lock's transaction and the migrations.
    PgBouncer bouncer(db.server(), {"transaction", 2, {}});
    const auto result = run(command(bouncer.url(db.name()), "migrate-only", {"--statement-timeout=45s"}));
    ASSERT_EQ(result.exit_code, 0) << result << bouncer.log();
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1, 2}));
    EXPECT_TRUE(contains(result.err, "--statement-timeout is not applied to a transaction:false section"));

    // Two clients in open transactions hold both server connections of the pool between them.
    Connection first(bouncer.conninfo(db.name(), "app"));
    Connection second(bouncer.conninfo(db.name(), "app"));
    first.exec("BEGIN");
    second.exec("BEGIN");
    EXPECT_NE(first.scalar("SELECT pg_backend_pid()"), second.scalar("SELECT pg_backend_pid()"));
    for (std::size_t i = 0; i < watched.size(); ++i) {
        EXPECT_EQ(first.scalar("SHOW " + watched[i]), defaults[i]) << watched[i];
        EXPECT_EQ(second.scalar("SHOW " + watched[i]), defaults[i]) << watched[i];
    }
}

TEST_F(Sessions, MigrationsRunWithTheServersStatementTimeoutUnlessOneIsGiven) {
    db.admin().exec("ALTER DATABASE " + db.name() + " SET statement_timeout = '1s'");
    dir.write("1_slow.sql", "SELECT pg_sleep(1.5);\n");
    dir.write("2_slow.sql", "-- migrate:up transaction:false\nSELECT pg_sleep(1.5);\n");

    const auto servers = migrate();
    EXPECT_EQ(servers.exit_code, 70) << servers;
    EXPECT_TRUE(contains(servers.err, "SQLSTATE 57014")) << servers;
    EXPECT_TRUE(db.applied_versions().empty());

    const auto given = migrate({"--statement-timeout=10s"});
    EXPECT_EQ(given.exit_code, 0) << given;
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1, 2}));
}

class SearchPath : public PgentryTest, public ::testing::WithParamInterface<bool> {};

TEST_P(SearchPath, AMigrationsSettingsReachNeitherTheNextMigrationNorTheHistory) {
    const bool transactional = GetParam();
    // A role with no privileges: had the SET ROLE stayed, neither plain_t nor the history row could be
    // written.
    TestRole nobody(db);
    dir.write("1_broker.sql", std::string(transactional ? "" : "-- migrate:up transaction:false\n") +
                                  "CREATE SCHEMA broker;\nSET search_path TO broker;\n"
                                  "CREATE TABLE devices (id int);\nSET ROLE " +
                                  nobody.name() + ";\n");
    dir.write("2_plain.sql", "CREATE TABLE plain_t (id int);\n");

    const auto first = migrate();
    ASSERT_EQ(first.exit_code, 0) << first;
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = "
                             "'plain_t' AND tableowner = current_user"),
              1);
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_tables WHERE schemaname = 'broker' AND tablename = "
                             "'devices'"),
              1);
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1, 2}));

    const auto second = migrate();
    EXPECT_EQ(second.exit_code, 0) << second;
    EXPECT_TRUE(contains(second.err, "Migrations already up"));
}

INSTANTIATE_TEST_SUITE_P(Sections, SearchPath, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Transactional" : "TransactionFalse"; });

}  // namespace
}  // namespace pgentry::test
