// db::Lock::release after the server ended the session that holds the lock (terminated, an idle timeout, a
// restart): the server released the lock with the session, so giving it back is done, not an error that
// would fail a run whose migrations all committed.
#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "db/lock.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class LockRelease : public ::testing::TestWithParam<LockMode> {
protected:
    db::Connection connect() { return db::Connection::open(loop, params, Clock::now() + 20s); }
    // Ends backend `pid` and waits until the server has let it go.
    void terminate(int pid) {
        const std::string backend = std::to_string(pid);
        ASSERT_EQ(db.sql().scalar("SELECT pg_terminate_backend(" + backend + ")"), Value("t"));
        ASSERT_TRUE(eventually(
            [&] {
                return db.sql().count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + backend) == 0;
            },
            10s));
    }

    TestDatabase db;
    db::EventLoop loop;
    db::ConnectParams params{db::DatabaseUrl::parse(db.conninfo()), "pgentry-lock-release-test"};
    db::TableName table = db::TableName::parse("schema_migrations");
};

// Before: the ROLLBACK (table) or pg_advisory_unlock (advisory) on the ended session threw SQLSTATE 08006
// "FATAL:  terminating connection due to administrator command", and the run failed after its last
// migration.
TEST_P(LockRelease, AnEndedHolderSessionHasReleasedItAlready) {
    db.sql().exec("CREATE TABLE schema_migrations (version bigint PRIMARY KEY)");
    db::Connection session = connect();
    db::Connection worker = connect();
    std::optional<db::Lock> lock =
        db::Lock::acquire({session, worker, params, table}, to_string(GetParam()), std::chrono::seconds(5));
    ASSERT_TRUE(lock.has_value());
    ASSERT_EQ(db.migration_locks(), 1);
    // The table lock is held by the waited-for session, the advisory lock by the worker.
    terminate(GetParam() == LockMode::table ? session.backend_pid() : worker.backend_pid());

    EXPECT_NO_THROW(lock->release());
    EXPECT_EQ(db.migration_locks(), 0);
}

INSTANTIATE_TEST_SUITE_P(Locks, LockRelease, ::testing::Values(LockMode::table, LockMode::advisory),
                         [](const auto& info) { return to_string(info.param); });

}  // namespace
}  // namespace pgentry::test
