// db::Transaction (BEGIN when made, ROLLBACK when it goes unless committed, SET LOCAL ending with it) and
// db::MigrationSession's policy (SET LOCALs with BEGIN, restore() undoing a migration's SET), on a real
// server.
#include "db/transaction.hpp"

#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "db/migration_session.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class Transactions : public ::testing::Test {
protected:
    db::Connection connect() {
        return db::Connection::open(loop, {db::DatabaseUrl::parse(db.conninfo()), "pgentry-transaction-test"},
                                    Clock::now() + 20s);
    }
    static std::string show(db::Connection& connection, const std::string& setting) {
        return connection.exec("SHOW " + setting).text(0, 0);
    }

    TestDatabase db;
    db::EventLoop loop;
};

TEST_F(Transactions, CommitKeepsTheRowsAndTheLocalSettingsEndWithIt) {
    db.sql().exec("CREATE TABLE t (a int)");
    auto connection = connect();
    const std::string before = show(connection, "lock_timeout");
    {
        db::Transaction transaction(connection, {{"statement_timeout", "1234"}}, "READ COMMITTED");
        transaction.set_local("lock_timeout", "4321");
        connection.exec("INSERT INTO t VALUES (1)");
        EXPECT_EQ(show(connection, "statement_timeout"), "1234ms");
        EXPECT_EQ(show(connection, "lock_timeout"), "4321ms");
        EXPECT_EQ(show(connection, "transaction_isolation"), "read committed");
        transaction.commit();
    }
    EXPECT_FALSE(connection.in_transaction());
    EXPECT_EQ(show(connection, "lock_timeout"), before);
    EXPECT_EQ(db.sql().count("SELECT count(*) FROM t"), 1);
}

TEST_F(Transactions, GoingWithoutCommitRollsBackAlsoAfterAFailedStatement) {
    db.sql().exec("CREATE TABLE t (a int)");
    auto connection = connect();
    {
        db::Transaction transaction(connection);
        connection.exec("INSERT INTO t VALUES (1)");
    }
    EXPECT_FALSE(connection.in_transaction());
    {
        db::Transaction transaction(connection);
        connection.exec("INSERT INTO t VALUES (2)");
        EXPECT_THROW(connection.exec("SELECT * FROM missing"), db::QueryError);
        EXPECT_TRUE(connection.in_transaction());  // aborted, still open
    }
    EXPECT_FALSE(connection.in_transaction());
    EXPECT_EQ(connection.exec("SELECT count(*) FROM t").integer(0, 0), 0);
}

TEST_F(Transactions, ARefusedLocalSettingLeavesNoTransactionOpen) {
    auto connection = connect();
    EXPECT_THROW(db::Transaction refused(connection, {{"statement_timeout", "'abc'"}}), db::QueryError);
    EXPECT_FALSE(connection.in_transaction());
    EXPECT_EQ(connection.exec("SELECT 41 + 1").text(0, 0), "42");
}

TEST_F(Transactions, AMigrationSessionPinsItsSettingsAndRestoreUndoesAMigrationsSet) {
    db::MigrationSession worker(connect());
    db::Connection& connection = worker.connection();
    const std::string role_default = show(connection, "statement_timeout");
    EXPECT_FALSE(worker.through_pooler());
    {
        db::Transaction transaction = worker.begin(std::chrono::milliseconds(2500));
        EXPECT_EQ(show(connection, "statement_timeout"), "2500ms");
        EXPECT_EQ(show(connection, "idle_in_transaction_session_timeout"), "0");
        connection.exec("SET search_path = nowhere");
        worker.restore();
        EXPECT_NE(show(connection, "search_path"), "nowhere");
        transaction.commit();
    }
    EXPECT_EQ(show(connection, "statement_timeout"), role_default);
    ASSERT_TRUE(worker.pin(std::chrono::milliseconds(3500)));
    EXPECT_EQ(show(connection, "statement_timeout"), "3500ms");
    connection.exec("SET work_mem = '7MB'");
    worker.restore();
    EXPECT_NE(show(connection, "work_mem"), "7MB");
    EXPECT_EQ(show(connection, "idle_in_transaction_session_timeout"), "0");
}

}  // namespace
}  // namespace pgentry::test
