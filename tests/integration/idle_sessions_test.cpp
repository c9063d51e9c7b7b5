// pgentry's sessions against what ends an idle session (SPEC "The migrations table and the lock": its own
// sessions do not inherit settings that would break them): a role's or database's idle_session_timeout
// (PostgreSQL 14+), and an observer's backend terminated in the middle of a migration. Every session that
// sits idle while pgentry migrates is here: the observers between their looks and checks, the waited-for
// session between lock tries and, under --lock=advisory or a migrate command, for the whole run.
#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "pgentry.hpp"

namespace pgentry::test {
namespace {

// Far shorter than the second between two looks at a long statement (--ddl-lock-timeout=5s).
constexpr const char* idle_session_timeout = "300ms";

// A migration's ALTER TABLE users that waits behind an application's transaction, as in a rolling update.
class BlockedMigration : public PgentryTest, public ::testing::WithParamInterface<LockMode> {
protected:
    // The table, the application's transaction that has read it, and the migration that alters it.
    void block_the_migration() {
        db.sql().exec("CREATE TABLE users (id int)");
        blocker_.emplace(db.conninfo("report"));
        blocker_->exec("BEGIN");
        blocker_->exec("SELECT * FROM users");
        dir.write("1_add_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
    }
    // Ends the application's transaction: pgentry then applies the migration, once, and exits 0.
    void release_and_expect_applied(Process& pgentry) {
        blocker_->exec("COMMIT");
        EXPECT_EQ(pgentry.wait_for(Clock::now() + 30s), 0) << pgentry.err();
        EXPECT_TRUE(db.has_column("users", "nickname"));
        EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    }

private:
    std::optional<Connection> blocker_;
};

class IdleSessionTimeout : public BlockedMigration {
protected:
    // For the sessions that log in from now on: pgentry's, not the test's open ones.
    void set_on_role() {
        db.admin().exec("ALTER ROLE CURRENT_USER IN DATABASE " + db.name() + " SET idle_session_timeout = '" +
                        idle_session_timeout + "'");
    }
};

// Before: under --lock=table the check whether the statement waits for pgentry's own lock found its
// session ended at its second check, 1.2 s in, and the migration failed (70) blamed on the migration:
// "1_sleep.sql:1: migration 1 failed: SQLSTATE 08006: FATAL:  terminating connection due to idle-session
// timeout" (then libpq's "server closed the connection unexpectedly").
TEST_P(IdleSessionTimeout, ALongStatementIsApplied) {
    set_on_role();
    dir.write("1_sleep.sql", "SELECT pg_sleep(2);\nCREATE TABLE slept (id int);\n");

    const auto result = migrate({lock_option(GetParam())});

    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(db.has_table("slept"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{1}));
    EXPECT_EQ(db.migration_locks(), 0);
}

// A DDL statement waits behind an application's transaction for several looks (a second apart under a
// 4 s lock_timeout), each after the observers sat idle longer than the timeout.
TEST_P(IdleSessionTimeout, ADdlStatementBlockedForSeveralLooksIsAppliedOnceReleased) {
    block_the_migration();
    set_on_role();

    auto pgentry = spawn("migrate-only", {lock_option(GetParam()), "--ddl-lock-timeout=4s"});
    ASSERT_TRUE(eventually(
        [&] {
            return db.sql().count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" +
                                  pgentry_application_name() +
                                  "' AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE%' "
                                  "AND now() - query_start >= interval '2.5 seconds'") > 0;
        },
        15s))
        << pgentry->err();

    release_and_expect_applied(*pgentry);
}

// The waited-for session sleeps between its tries (about 50 ms) on an idle connection, well within the
// timeout: the wait goes on until the holder lets go.
TEST_P(IdleSessionTimeout, WaitingForTheLockOutlastsIt) {
    dir.write("0_seed.sql", "SELECT 1;\n");
    ASSERT_EQ(migrate().exit_code, 0);  // the history table, as an earlier boot left it
    dir.write("1_t.sql", "CREATE TABLE t (id int);\n");
    auto holder = std::make_unique<LockHolder>(db, GetParam(), "other-replica");
    set_on_role();

    auto pgentry = spawn("migrate-only", {lock_option(GetParam())});
    ASSERT_TRUE(pgentry->wait_for_output("waiting for the migration lock held by", Clock::now() + 15s))
        << pgentry->err();
    holder.reset();

    EXPECT_EQ(pgentry->wait_for(Clock::now() + 30s), 0) << pgentry->err();
    EXPECT_TRUE(db.has_table("t"));
    EXPECT_EQ(db.applied_versions(), (std::vector<std::int64_t>{0, 1}));
}

// While another tool migrates, the waited-for session sits idle (and, under --lock=advisory, the worker
// holding the lock): the first is no longer needed, and the worker keeps the lock until pgentry gives it
// back.
TEST_P(IdleSessionTimeout, AMigrateCommandOutlastsIt) {
    set_on_role();
    const auto ran = dir.path() / "ran";

    const auto result =
        migrate({lock_option(GetParam()), "--migrate-command=sleep 1 && touch " + ran.string()});

    EXPECT_EQ(result.exit_code, 0) << result;
    EXPECT_TRUE(std::filesystem::exists(ran));
    EXPECT_EQ(db.migration_locks(), 0);
}

INSTANTIATE_TEST_SUITE_P(Locks, IdleSessionTimeout, ::testing::Values(LockMode::table, LockMode::advisory),
                         [](const auto& info) { return to_string(info.param); });

class ObserverSessions : public BlockedMigration {
protected:
    // pgentry's observers: its sessions whose last query read pg_stat_activity (the looks at who blocks a
    // statement; under --lock=table also the checks for a wait on pgentry's own lock). Not by
    // pg_blocking_pids: pg_stat_activity shows the first 1024 bytes of a query (track_activity_query_size),
    // and the looks' query names it later than that.
    std::set<std::string> observer_pids() {
        std::set<std::string> pids;
        for (const auto& row :
             db.sql().rows("SELECT pid FROM pg_stat_activity WHERE application_name = '" +
                           pgentry_application_name() + "' AND query LIKE '%FROM pg_stat_activity%'")) {
            pids.insert(*row.at(0));
        }
        return pids;
    }
};

// Before: under --lock=table the next check asked on the terminated session, and the migration failed (70):
// "SQLSTATE 08006: FATAL:  terminating connection due to administrator command".
// An observer whose answer is late (a sanitized build on a loaded machine) is closed until the next look: so
// the test waits for one observer at least, not for each kind.
TEST_P(ObserverSessions, AnObserverWhoseBackendIsTerminatedIsOpenedAgain) {
    block_the_migration();

    auto pgentry = spawn("migrate-only", {lock_option(GetParam()), "--ddl-lock-timeout=20s"});
    // An observer seen may close by itself before it is terminated (an answer later than half a second): then
    // pg_terminate_backend finds no such backend, and the next look's observer is terminated.
    std::set<std::string> terminated;
    ASSERT_TRUE(eventually(
        [&] {
            for (const auto& pid : observer_pids()) {
                if (db.sql().scalar("SELECT pg_terminate_backend(" + pid + ")") == Value("t")) {
                    terminated.insert(pid);
                }
            }
            return !terminated.empty();
        },
        15s))
        << pgentry->err();
    // Looks go on a second apart: each observer is opened again at its next one.
    ASSERT_TRUE(eventually(
        [&] {
            const auto now = observer_pids();
            return std::any_of(now.begin(), now.end(),
                               [&](const auto& pid) { return !terminated.contains(pid); });
        },
        15s))
        << pgentry->err();

    release_and_expect_applied(*pgentry);
    EXPECT_EQ(pgentry->err().find("no lock"), std::string::npos) << pgentry->err();
}

INSTANTIATE_TEST_SUITE_P(Locks, ObserverSessions, ::testing::Values(LockMode::table, LockMode::advisory),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace pgentry::test
