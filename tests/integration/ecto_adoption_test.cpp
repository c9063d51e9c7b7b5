// Adopting an Ecto-made schema_migrations (no checksum column) next to a running Ecto application and
// release (db/checksum_column.hpp). The column is added only when pgentry has something to record, and
// never by waiting inside the server: an ALTER TABLE queued for ACCESS EXCLUSIVE behind an Ecto release's
// lock made every reader of the table queue behind it, and held a snapshot that the release's CREATE INDEX
// CONCURRENTLY waited for while the release waited for the ALTER (hexpm/hexpm#1817's shape).
#include <functional>
#include <optional>

#include "pgbouncer.hpp"
#include "pgentry.hpp"
#include "starting_gate.hpp"

namespace pgentry::test {
namespace {

constexpr std::string_view column_wait = "waiting for the lock to add the checksum column held by";

class EctoTableAdoption : public PgentryTest {
protected:
    // Ecto's table with one applied migration, whose file is there too, and one pending file.
    void SetUp() override {
        seed(db);
        dir.write("1_users.sql", "CREATE TABLE users (id int, email text);\n");
    }
    // What an Ecto application's first release left in `fresh`.
    static void seed(TestDatabase& fresh) {
        fresh.sql().exec(std::string(ecto_schema_migrations));
        fresh.sql().exec("INSERT INTO schema_migrations VALUES (1, '2024-07-05 20:57:30')");
        fresh.sql().exec("CREATE TABLE users (id int, email text)");
    }
    void write_pending() const { dir.write("2_items.sql", pending_body); }

    // pgentry's sessions waiting for a lock inside the server.
    std::int64_t pgentry_lock_waits() {
        return db.sql().count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
            "application_name = '" +
            pgentry_application_name() + "' AND wait_event_type = 'Lock'");
    }

    // Rounds of four replicas released at the same instant, each round on a fresh database reached at
    // url(fresh): all exit 0, and the pending migration is recorded once with its checksum.
    void race_replicas(const std::function<std::string(const TestDatabase&)>& url) {
        write_pending();
        for (int round = 1; round <= 5; ++round) {
            SCOPED_TRACE("round " + std::to_string(round));
            TestDatabase fresh;
            seed(fresh);
            const auto results = run_released_together(
                std::vector<Args>(4, command(url(fresh), "migrate-only", {"--lock-timeout=30s"})), 60s);
            for (const auto& result : results) {
                EXPECT_EQ(result.exit_code, 0) << result;
            }
            EXPECT_EQ(fresh.sql().rows("SELECT version, checksum FROM schema_migrations ORDER BY version"),
                      (std::vector<Row>{{"1", std::nullopt}, {"2", sha256_hex(pending_body)}}));
            if (HasFailure()) {
                break;
            }
        }
    }

    static constexpr std::string_view pending_body = "CREATE TABLE items (id int);\n";
};

TEST_F(EctoTableAdoption, NothingPendingLeavesTheTableAsItIs) {
    const auto up = migrate();
    EXPECT_EQ(up.exit_code, 0) << up;
    EXPECT_TRUE(contains(up.err, "Migrations already up"));
    EXPECT_FALSE(contains(up.err, "checksum column")) << up;
    EXPECT_FALSE(db.has_column("schema_migrations", "checksum"));

    // Its row reads as unverified, not changed.
    const auto verify = pgentry("verify");
    EXPECT_EQ(verify.exit_code, 0) << verify;
    const auto status = pgentry("status");
    EXPECT_EQ(status.exit_code, 0) << status;
    EXPECT_FALSE(line_with(status.out, {"1", "users", "up", "2024-07-05 20:57:30"}).empty()) << status;
    EXPECT_FALSE(db.has_column("schema_migrations", "checksum"));
}

TEST_F(EctoTableAdoption, NothingPendingBootsAtOnceBesideAnEctoReleasesLock) {
    LockHolder ecto(db, LockMode::table, "ecto-release");

    const auto up = pgentry("migrate-only", {}, {}, 20s);
    EXPECT_EQ(up.exit_code, 0) << up;
    EXPECT_TRUE(contains(up.err, "Migrations already up"));
    EXPECT_LT(up.elapsed, 5s) << up;
    EXPECT_FALSE(db.has_column("schema_migrations", "checksum"));
    // The release's lock was never in question.
    EXPECT_EQ(
        db.sql().count("SELECT count(*) FROM pg_locks WHERE granted AND pid = " +
                       std::to_string(ecto.backend_pid()) + " AND relation = 'schema_migrations'::regclass"),
        1);
}

TEST_F(EctoTableAdoption, AnEctoReleasesLockEndsTheWaitAfterTheLockTimeoutWithoutQueueingReaders) {
    write_pending();
    LockHolder ecto(db, LockMode::table, "ecto-release");
    // The application: it reads the table and gives up after 200 ms in a lock queue.
    Connection app(db.conninfo("app"));
    app.exec("SET lock_timeout = '200ms'");

    Process waiter(command("migrate-only", {"--lock-timeout=1s"}));
    int looks_while_connected = 0;
    std::optional<int> exit_code;
    const auto deadline = Clock::now() + 20s;
    while (!(exit_code = waiter.wait_for(Clock::now() + 20ms)) && Clock::now() < deadline) {
        if (db.pgentry_backends() == 0) {
            continue;  // not connected yet, or gone
        }
        ++looks_while_connected;
        ASSERT_NO_THROW(app.rows("SELECT * FROM schema_migrations"))
            << "the application queued behind pgentry";
        ASSERT_EQ(pgentry_lock_waits(), 0) << "pgentry waited for a lock inside the server";
    }
    ASSERT_EQ(exit_code, 75) << waiter.err();
    EXPECT_GT(looks_while_connected, 5) << "pgentry's wait was not seen";

    const auto error =
        line_with(waiter.err(), {"[error]", "gave up waiting for the lock to add the checksum column"});
    EXPECT_TRUE(contains(
        error, "(--lock-timeout): held by pid " + std::to_string(ecto.backend_pid()) + " (ecto-release,"))
        << waiter.err();
    EXPECT_FALSE(db.has_column("schema_migrations", "checksum"));
    EXPECT_FALSE(db.has_table("items"));
}

TEST_F(EctoTableAdoption, AnEctoReleaseBuildsAnIndexConcurrentlyWhilePgentryWaitsThenPgentryAdopts) {
    write_pending();
    std::optional<LockHolder> ecto;
    ecto.emplace(db, LockMode::table, "ecto-release");

    Process waiter(command("migrate-only", {"--lock-timeout=60s"}));
    // Both of pgentry's sessions are open once it has found something pending and goes for the table.
    ASSERT_TRUE(eventually([&] { return db.pgentry_backends() == 2; }, 20s)) << waiter.err();

    // The release's migration, on its second connection while its lock is held: the index build waits for
    // every older snapshot, and pgentry's wait holds none.
    Connection release(db.conninfo("ecto-release-migration"));
    release.exec("SET statement_timeout = '15s'");
    EXPECT_NO_THROW(release.exec("CREATE INDEX CONCURRENTLY users_email_index ON users (email)"));
    ASSERT_TRUE(waiter.wait_for_output(column_wait, Clock::now() + 20s)) << waiter.err();
    EXPECT_TRUE(
        contains(waiter.err(), std::string(column_wait) + " pid " + std::to_string(ecto->backend_pid())));
    EXPECT_EQ(pgentry_lock_waits(), 0);

    ecto.reset();  // the release commits
    ASSERT_EQ(waiter.wait_for(Clock::now() + 20s), 0) << waiter.err();
    EXPECT_TRUE(contains(waiter.err(), "added the checksum column to public.schema_migrations"))
        << waiter.err();
    EXPECT_TRUE(db.has_table("items"));
    EXPECT_EQ(db.sql().rows("SELECT version, checksum FROM schema_migrations ORDER BY version"),
              (std::vector<Row>{{"1", std::nullopt}, {"2", sha256_hex(pending_body)}}));
}

// Before, this hung for good: one replica's ALTER queued in the server behind another's migration lock, and
// that one's read under its lock queued behind the ALTER; the server saw no deadlock, as the lock's own
// session waited for nothing.
TEST_F(EctoTableAdoption, ReplicasAdoptingTogetherAllSucceedAndApplyOnce) {
    race_replicas([](const TestDatabase& fresh) { return fresh.url(); });
}

// The same through transaction pooling (--lock=table, the default): the column's lock and the migration lock
// each hold one of the pool's two server connections only while taken.
TEST_F(EctoTableAdoption, ReplicasAdoptingTogetherThroughTransactionPoolingAllSucceedAndApplyOnce) {
    const PgBouncer bouncer(db.server(), {"transaction", 2, {}});
    race_replicas([&](const TestDatabase& fresh) { return bouncer.url(fresh.name()); });
}

}  // namespace
}  // namespace pgentry::test
