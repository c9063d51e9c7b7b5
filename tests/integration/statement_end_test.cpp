// db::Connection::await_result when its deadline passes after a statement's last result or error came and
// before the statement ended (ReadyForQuery): the next wait returns that result, or throws that error.
// Before: both were dropped with the deadline, and the next wait, finding no result at all, threw SQLSTATE
// 08006 with the server's last message. In CI's sanitized run a DDL statement's lock timeout became a failed
// migration (70) that way: "SQLSTATE 08006: ERROR:  canceling statement due to lock timeout".
#include <gtest/gtest.h>

#include "db/connection.hpp"
#include "late_ready_for_query.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class StatementEnd : public ::testing::Test {
protected:
    db::Connection connect() {
        return db::Connection::open(loop, {db::DatabaseUrl::parse(relay.url(db.name())), "pgentry-end-test"},
                                    Clock::now() + 20s);
    }

    TestDatabase db;
    db::EventLoop loop;
    LateReadyForQuery relay{db.server(), 500ms};
};

TEST_F(StatementEnd, AnErrorThatCameBeforeTheDeadlineIsThrownByTheNextWait) {
    db::Connection connection = connect();
    connection.send("SELECT 1/0");

    EXPECT_EQ(connection.await_result(Clock::now() + 100ms), std::nullopt);
    try {
        connection.await_result(std::nullopt);
        ADD_FAILURE() << "no error";
    } catch (const db::QueryError& failure) {
        EXPECT_EQ(failure.error().sqlstate, "22012") << failure.what();  // division_by_zero
    }
}

TEST_F(StatementEnd, AResultThatCameBeforeTheDeadlineIsReturnedByTheNextWait) {
    db::Connection connection = connect();
    connection.send("SELECT 42");

    EXPECT_EQ(connection.await_result(Clock::now() + 100ms), std::nullopt);
    const std::optional<db::Result> result = connection.await_result(std::nullopt);
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->text(0, 0), "42");
}

// The next statement starts afresh: nothing of the one before is returned for it.
TEST_F(StatementEnd, TheNextStatementGetsItsOwnResult) {
    db::Connection connection = connect();
    connection.send("SELECT 1/0");
    EXPECT_EQ(connection.await_result(Clock::now() + 100ms), std::nullopt);
    EXPECT_THROW(connection.await_result(std::nullopt), db::QueryError);

    EXPECT_EQ(connection.exec("SELECT 7").text(0, 0), "7");
}

}  // namespace
}  // namespace pgentry::test
