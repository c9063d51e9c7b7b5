// Migrations next to a running application (issue 11 items 1 and 2, SPEC "Rolling updates"): statements
// under --ddl-lock-timeout with retries, so that the application never queues behind a waiting ALTER
// for long; concurrent index statements exempt; invalid indexes healed and checked (hexpm/hexpm#1817).
#include <atomic>
#include <thread>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// The query text the blocking session ran: it must never show in pgentry's output.
constexpr std::string_view blocker_query = "SELECT 'quarterly-report-7f3a' FROM users LIMIT 1";

// A replica's open transaction holding ACCESS SHARE on users until release(): every ALTER TABLE users
// waits for it.
class Blocker {
public:
    Blocker(const TestDatabase& db, const std::string& application_name)
        : session_(db.conninfo(application_name)) {
        session_.exec("BEGIN");
        session_.exec(std::string(blocker_query));
    }
    int pid() const { return session_.backend_pid(); }
    std::string address() {
        return *session_.scalar(
            "SELECT coalesce(host(client_addr), 'local socket') FROM pg_stat_activity "
            "WHERE pid = pg_backend_pid()");
    }
    void release() { session_.exec("COMMIT"); }

private:
    Connection session_;
};

// The application: one query on users every 100 ms; the slowest one's latency.
class App {
public:
    explicit App(const TestDatabase& db) : session_(db.conninfo("app")) {
        thread_ = std::thread([this] {
            while (!stop_) {
                const auto start = Clock::now();
                session_.exec("SELECT count(*) FROM users");
                worst_ = std::max(worst_.load(), Clock::now() - start);
                std::this_thread::sleep_for(100ms);
            }
        });
    }
    ~App() { stop(); }
    Clock::duration stop() {
        stop_ = true;
        if (thread_.joinable()) {
            thread_.join();
        }
        return worst_;
    }

private:
    Connection session_;
    std::atomic<bool> stop_ = false;
    std::atomic<Clock::duration> worst_{};
    std::thread thread_;
};

class RollingUpdate : public PgentryTest {
protected:
    void SetUp() override {
        db.sql().exec("CREATE TABLE users (id int, email text); INSERT INTO users VALUES (1, 'a')");
    }

    // Whether pgentry's statement starting with `head` waits for a lock, for at least `waited`.
    bool pgentry_waits(std::string_view head, std::string_view waited = "0") {
        return db.sql().count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" +
                              pgentry_application_name() + "' AND wait_event_type = 'Lock' AND query LIKE '" +
                              std::string(head) + "%' AND now() - query_start >= interval '" +
                              std::string(waited) + "'") > 0;
    }
    bool index_valid(const std::string& index) {
        return db.sql().scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = '" + index +
                               "'::regclass") == Value("t");
    }
    std::int64_t warnings(const std::string& err, std::string_view needle) {
        std::int64_t count = 0;
        for (const auto& line : lines(err)) {
            count += line.find(needle) != std::string::npos;
        }
        return count;
    }
};

// Before: the ALTER waited in the lock queue for the blocker's whole 8 s, and every app query with it.
TEST_F(RollingUpdate, TheAppNeverWaitsLongerThanTheDdlLockTimeoutBehindABlockedAlter) {
    dir.write("1_add_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
    Blocker blocker(db, "report");
    App app(db);
    const auto started = Clock::now();
    auto pgentry = spawn("migrate-only", {"--ddl-lock-timeout=1s"});
    ASSERT_TRUE(pgentry->wait_for_output("retry 1", Clock::now() + 10s)) << pgentry->err();
    std::this_thread::sleep_until(started + 8s);  // the scenario: a blocker of 8 s
    blocker.release();

    const auto exit_code = pgentry->wait_for(Clock::now() + 30s);
    const auto worst = app.stop();
    EXPECT_EQ(exit_code, 0) << pgentry->err();
    EXPECT_LT(worst, 2s) << "the app's slowest query took " << seconds(worst);
    RecordProperty("worst_app_query_ms",
                   static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(worst).count()));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(db.has_column("users", "nickname"));
    EXPECT_GE(warnings(pgentry->err(), "no lock on \"users\" within 1s"), 3) << pgentry->err();
}

TEST_F(RollingUpdate, TheWarningNamesTheBlockingSessionButNeverItsQuery) {
    dir.write("1_add_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
    Blocker blocker(db, "app@web-1");
    auto pgentry = spawn("migrate-only", {"--ddl-lock-timeout=1s"});
    ASSERT_TRUE(pgentry->wait_for_output("retry 1 in ", Clock::now() + 10s)) << pgentry->err();
    blocker.release();
    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 0) << pgentry->err();

    const std::string line = line_with(pgentry->err(), {"[warn]", "retry 1 in "});
    EXPECT_TRUE(contains(line, "[warn] 1 add_nickname: no lock on \"users\" within 1s (held by pid " +
                                   std::to_string(blocker.pid()) + ", app@web-1, " + blocker.address() +
                                   ", idle in transaction since "));
    EXPECT_TRUE(contains(line, " UTC); rolled back, retry 1 in ")) << line;
    EXPECT_EQ(pgentry->err().find("quarterly-report"), std::string::npos) << pgentry->err();
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
}

TEST_F(RollingUpdate, GivingUpAfterTheRetryTimeoutExits75WithNothingOfThatMigrationLeft) {
    dir.write("1_first.sql", "CREATE TABLE first (id int);\n");
    dir.write("2_blocked.sql", "CREATE TABLE partial (id int);\nALTER TABLE users ADD COLUMN x int;\n");
    Blocker blocker(db, "report");

    const auto result = migrate({"--ddl-lock-timeout=300ms", "--ddl-retry-timeout=2s"});

    EXPECT_EQ(result.exit_code, 75) << result;
    EXPECT_LT(result.elapsed, 10s) << result;
    const std::string error = line_with(result.err, {"[error]"});
    EXPECT_TRUE(contains(
        error, "2 blocked: no lock on \"users\" within 300ms (held by pid " + std::to_string(blocker.pid())));
    EXPECT_TRUE(contains(error, "gave up after 2s of retries (--ddl-retry-timeout)"));
    EXPECT_TRUE(contains(error, "nothing of this migration was applied"));
    EXPECT_GE(warnings(result.err, "rolled back, retry "), 2) << result;
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(db.has_table("first"));
    EXPECT_FALSE(db.has_table("partial"));
    EXPECT_FALSE(db.has_column("users", "x"));
    EXPECT_EQ(db.migration_locks(), 0);
    EXPECT_TRUE(eventually([&] { return db.pgentry_backends() == 0; }, 5s));
}

TEST_F(RollingUpdate, ATransactionFalseSectionRetriesOnlyTheStatementThatTimedOut) {
    db.sql().exec("CREATE TABLE ran (step text)");
    dir.write("1_nontx.sql",
              "-- migrate:up transaction:false\nINSERT INTO ran VALUES ('before');\n"
              "ALTER TABLE users ADD COLUMN y int;\nINSERT INTO ran VALUES ('after');\n");
    Blocker blocker(db, "report");
    auto pgentry = spawn("migrate-only", {"--ddl-lock-timeout=300ms"});
    ASSERT_TRUE(pgentry->wait_for_output("retry 2 in ", Clock::now() + 10s)) << pgentry->err();
    blocker.release();

    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 0) << pgentry->err();
    EXPECT_EQ(db.sql().rows("SELECT step, count(*) FROM ran GROUP BY step ORDER BY step"),
              (std::vector<Row>{{"after", "1"}, {"before", "1"}}));
    EXPECT_TRUE(db.has_column("users", "y"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
}

// A lock_timeout would cut the build while it waits for old snapshots and leave an invalid index.
TEST_F(RollingUpdate, CreateIndexConcurrentlyWaitsBehindAnOldSnapshotWithoutTimingOut) {
    dir.write("1_index.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY users_id_idx ON users (id);\n");
    Connection old_snapshot(db.conninfo("report"));
    old_snapshot.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    old_snapshot.exec("SELECT count(*) FROM pg_class");
    auto pgentry = spawn("migrate-only", {"--ddl-lock-timeout=300ms"});
    // Waiting more than three lock timeouts without being cut.
    ASSERT_TRUE(eventually([&] { return pgentry_waits("CREATE INDEX", "1 second"); }, 10s)) << pgentry->err();
    old_snapshot.exec("COMMIT");

    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 0) << pgentry->err();
    EXPECT_EQ(pgentry->err().find("no lock"), std::string::npos) << pgentry->err();
    EXPECT_TRUE(index_valid("users_id_idx"));
}

TEST_F(RollingUpdate, ASectionsOwnLockTimeoutIsKept) {
    dir.write("1_own.sql", "SET LOCAL lock_timeout = '20s';\nALTER TABLE users ADD COLUMN z int;\n");
    Blocker blocker(db, "report");
    auto pgentry = spawn("migrate-only", {"--ddl-lock-timeout=200ms"});
    // Under pgentry's 200 ms it would have been cancelled four times by now.
    ASSERT_TRUE(eventually([&] { return pgentry_waits("ALTER TABLE", "1 second"); }, 10s)) << pgentry->err();
    blocker.release();

    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 0) << pgentry->err();
    EXPECT_EQ(pgentry->err().find("no lock"), std::string::npos) << pgentry->err();
    EXPECT_TRUE(db.has_column("users", "z"));
}

struct ShortWaitCase {
    const char* name;
    const char* migration;         // 1_add_x.sql, which waits for the blocker's lock
    const char* ddl_lock_timeout;  // --ddl-lock-timeout
    const char* within;            // how the lines name the lock timeout
};

void PrintTo(const ShortWaitCase& short_wait, std::ostream* os) {
    *os << short_wait.name;
}

class ShortLockWait : public RollingUpdate, public ::testing::WithParamInterface<ShortWaitCase> {};

// Before: a wait shorter than pgentry's first look (200 ms into the statement) or between two looks (a
// second apart) ended unseen, and every line said "the session in the way was gone before pgentry could
// see it", without the table, while the blocker still held its lock.
TEST_P(ShortLockWait, EveryLineNamesTheTableAndTheSessionInTheWay) {
    dir.write("1_add_x.sql", GetParam().migration);
    Blocker blocker(db, "app@web-1");

    const auto result =
        migrate({std::string("--ddl-lock-timeout=") + GetParam().ddl_lock_timeout, "--ddl-retry-timeout=2s"});

    EXPECT_EQ(result.exit_code, 75) << result;
    const std::string named = std::string("1 add_x: no lock on \"users\" within ") + GetParam().within +
                              " (held by pid " + std::to_string(blocker.pid()) + ", app@web-1, " +
                              blocker.address() + ", idle in transaction since ";
    std::vector<std::string> said;
    for (const auto& line : lines(result.err)) {
        if (contains(line, "[warn]") && contains(line, "rolled back, retry ")) {
            said.push_back(line);
        }
    }
    said.push_back(line_with(result.err, {"[error]"}));
    EXPECT_GE(said.size(), 2U) << result;
    for (const auto& line : said) {
        EXPECT_TRUE(contains(line, named));
    }
    EXPECT_FALSE(db.has_column("users", "x"));
    EXPECT_TRUE(db.applied_versions().empty());
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                             std::to_string(blocker.pid()) + " AND state = 'idle in transaction'"),
              1);
}

INSTANTIATE_TEST_SUITE_P(
    Statements, ShortLockWait,
    ::testing::Values(
        ShortWaitCase{"DdlLockTimeout100ms", "ALTER TABLE users ADD COLUMN x int;\n", "100ms", "100ms"},
        ShortWaitCase{"DdlLockTimeout100msTransactionFalse",
                      "-- migrate:up transaction:false\nALTER TABLE users ADD COLUMN x int;\n", "100ms",
                      "100ms"},
        ShortWaitCase{"OwnLockTimeout50ms",
                      "SET lock_timeout = '50ms';\nALTER TABLE users ADD COLUMN x int;\n", "5s",
                      "the section's own lock_timeout"},
        ShortWaitCase{"OwnLockTimeout50msTransactionFalse",
                      "-- migrate:up transaction:false\nSET lock_timeout = '50ms';\n"
                      "ALTER TABLE users ADD COLUMN x int;\n",
                      "5s", "the section's own lock_timeout"},
        // lock_timeout counts from the start of each lock wait, here 1.5 s into the statement.
        ShortWaitCase{
            "AWaitLateInALongStatement",
            "DO $$ BEGIN PERFORM pg_sleep(1.5); LOCK TABLE users IN ACCESS EXCLUSIVE MODE; END $$;\n",
            "100ms", "100ms"}),
    [](const auto& info) { return std::string(info.param.name); });

// A statement that gives up without waiting (NOWAIT) is never seen waiting: the lines say so, and do not
// claim, as they did, that the session in the way was gone.
TEST_F(RollingUpdate, ALockNotWaitedForIsReportedAsNotSeen) {
    dir.write("1_add_x.sql",
              "LOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT;\nALTER TABLE users ADD COLUMN x int;\n");
    Blocker blocker(db, "app@web-1");

    const auto result = migrate({"--ddl-retry-timeout=1s"});

    EXPECT_EQ(result.exit_code, 75) << result;
    EXPECT_TRUE(
        contains(line_with(result.err, {"[error]"}),
                 "1 add_x: no lock within 5s (the session in the way was not seen: the wait ended before "
                 "pgentry's first look, 200ms into the statement); rolled back, gave up after 1s"));
    EXPECT_EQ(result.err.find("gone"), std::string::npos) << result;
    EXPECT_FALSE(db.has_column("users", "x"));
}

struct HealCase {
    const char* name;
    const char* setup;      // makes an invalid index
    const char* migration;  // builds it again
    const char* index;      // as the warning and regclass name it
};

void PrintTo(const HealCase& heal, std::ostream* os) {
    *os << heal.name;
}

class InvalidIndex : public RollingUpdate, public ::testing::WithParamInterface<HealCase> {};

// Before: IF NOT EXISTS took the invalid index for present, and the migration was recorded.
TEST_P(InvalidIndex, AnInvalidIndexNobodyBuildsIsDroppedAndBuiltAgain) {
    db.sql().exec(GetParam().setup);
    // A failed unique build (a duplicate) leaves its index invalid, as an interrupted one does.
    EXPECT_THROW(db.sql().exec(std::string("CREATE UNIQUE INDEX CONCURRENTLY ") + GetParam().migration),
                 std::runtime_error);
    ASSERT_FALSE(index_valid(GetParam().index));
    db.sql().exec("DELETE FROM app.\"Users\" WHERE id = 2; DELETE FROM users WHERE id = 2");
    dir.write("1_index.sql", std::string("-- migrate:up transaction:false\nSET search_path = public;\n"
                                         "CREATE UNIQUE INDEX CONCURRENTLY ") +
                                 GetParam().migration + ";\n");

    const auto result = migrate();

    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(contains(line_with(result.err, {"[warn]"}),
                         std::string("1 index: dropping the invalid index ") + GetParam().index));
    EXPECT_TRUE(index_valid(GetParam().index));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
}

INSTANTIATE_TEST_SUITE_P(
    Statements, InvalidIndex,
    ::testing::Values(
        HealCase{"Named",
                 "CREATE SCHEMA app; CREATE TABLE app.\"Users\" (id int); INSERT INTO users VALUES (2, 'a')",
                 "users_email_idx ON users (email)", "public.users_email_idx"},
        HealCase{"IfNotExists",
                 "CREATE SCHEMA app; CREATE TABLE app.\"Users\" (id int); INSERT INTO users VALUES (2, 'a')",
                 "IF NOT EXISTS users_email_idx ON users (email)", "public.users_email_idx"},
        HealCase{"QuotedInAnotherSchemaOnOnly",
                 "CREATE SCHEMA app; CREATE TABLE app.\"Users\" (id int, email text); "
                 "INSERT INTO app.\"Users\" VALUES (1, 'a'), (2, 'a')",
                 "IF NOT EXISTS \"Users Email\" ON ONLY app.\"Users\" (email)", "app.\"Users Email\""}),
    [](const auto& info) { return std::string(info.param.name); });

// An index another session is building is not dropped: the migration's CREATE INDEX waits for that
// build. When the build then fails, IF NOT EXISTS skips the invalid index, and the migration is not
// recorded with it; the next start heals it.
TEST_F(RollingUpdate, AnIndexAnotherSessionBuildsIsLeftAndAnInvalidResultIsNotRecorded) {
    Connection old_snapshot(db.conninfo("report"));
    old_snapshot.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
    old_snapshot.exec("SELECT count(*) FROM pg_class");
    Connection builder(db.conninfo("builder"));
    ASSERT_EQ(PQsendQuery(builder.get(), "CREATE INDEX CONCURRENTLY users_id_idx ON users (id)"), 1);
    ASSERT_TRUE(eventually(
        [&] { return db.sql().count("SELECT count(*) FROM pg_class WHERE relname = 'users_id_idx'") == 1; },
        10s));
    dir.write("1_index.sql",
              "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_id_idx ON "
              "users (id);\n");
    auto pgentry = spawn("migrate-only");
    ASSERT_TRUE(eventually([&] { return pgentry_waits("CREATE INDEX"); }, 10s)) << pgentry->err();
    db.sql().exec("SELECT pg_cancel_backend(" + std::to_string(builder.backend_pid()) + ")");

    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 70) << pgentry->err();
    EXPECT_TRUE(contains(pgentry->err(), "the invalid index public.users_id_idx is being built by pid " +
                                             std::to_string(builder.backend_pid())));
    EXPECT_TRUE(contains(line_with(pgentry->err(), {"[error]"}),
                         "1_index.sql: migration 1 built the index public.users_id_idx, which is invalid"));
    EXPECT_TRUE(db.applied_versions().empty());
    while (PGresult* done = PQgetResult(builder.get())) {
        PQclear(done);
    }
    old_snapshot.exec("COMMIT");

    const auto rerun = migrate();
    EXPECT_EQ(rerun.exit_code, 0) << rerun;
    EXPECT_TRUE(contains(rerun.err, "dropping the invalid index public.users_id_idx"));
    EXPECT_TRUE(index_valid("users_id_idx"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
}

}  // namespace
}  // namespace pgentry::test
