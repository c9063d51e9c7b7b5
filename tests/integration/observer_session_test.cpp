// db::ObserverSession on a real server: pinned against a role's settings on a session of pgentry's own,
// nothing pinned through PgBouncer, and a session the server ended is one question unanswered, the next
// answered on a new session.
#include "db/observer_session.hpp"

#include <gtest/gtest.h>

#include "pgbouncer.hpp"
#include "pgentry.hpp"

namespace pgentry::test {
namespace {

class ObserverSession : public ::testing::Test {
protected:
    db::ObserverSession observer(const std::string& url) {
        return {loop, {db::DatabaseUrl::parse(url), "pgentry-observer-test"}, 20s, "testing"};
    }
    // What the observer's question says, "" when unanswered.
    static std::string ask(db::ObserverSession& session, const std::string& sql) {
        const std::optional<db::Result> answer = session.ask(sql);
        return answer ? answer->text(0, 0) : "";
    }
    // Waits until backend `pid` is gone from the server.
    void wait_gone(const std::string& pid) {
        ASSERT_TRUE(eventually(
            [&] { return db.sql().count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == 0; },
            10s));
    }

    TestDatabase db;
    db::EventLoop loop;
};

TEST_F(ObserverSession, PinsItsSessionWhateverTheRolesDefaults) {
    for (const char* setting : {"statement_timeout = '1min'", "idle_session_timeout = '20min'",
                                "default_transaction_isolation = 'serializable'"}) {
        db.admin().exec("ALTER ROLE CURRENT_USER IN DATABASE " + db.name() + " SET " + setting);
    }
    db::ObserverSession session = observer(db.conninfo());

    // The SETs run just before the first question.
    EXPECT_EQ(ask(session, "SHOW statement_timeout"), "0");
    EXPECT_EQ(ask(session, "SHOW idle_session_timeout"), "0");
    EXPECT_EQ(ask(session, "SHOW default_transaction_isolation"), "read committed");
}

// A session SET would stay on the pool's one server connection, which the next client gets.
TEST_F(ObserverSession, PinsNothingThroughTransactionPooling) {
    for (const char* setting : {"statement_timeout = '1min'", "idle_session_timeout = '20min'",
                                "default_transaction_isolation = 'serializable'"}) {
        db.admin().exec("ALTER DATABASE " + db.name() + " SET " + setting);
    }
    const PgBouncer bouncer(db.server(), {"transaction", 1, {}});
    db::ObserverSession session = observer(bouncer.url(db.name()));

    EXPECT_EQ(ask(session, "SHOW statement_timeout"), "1min");
    EXPECT_EQ(ask(session, "SHOW idle_session_timeout"), "20min");
    Connection next_client(bouncer.conninfo(db.name(), "app"));
    EXPECT_EQ(next_client.scalar("SHOW statement_timeout"), Value("1min"));
    EXPECT_EQ(next_client.scalar("SHOW idle_session_timeout"), Value("20min"));
    EXPECT_EQ(next_client.scalar("SHOW default_transaction_isolation"), Value("serializable"));
}

// Before: the question asked on the ended session threw SQLSTATE 08006 ("FATAL: terminating connection due
// to administrator command"), and under --lock=table the migration failed with it.
TEST_F(ObserverSession, ASessionTheServerEndedIsNoAnswerAndTheNextQuestionOpensAnother) {
    db::ObserverSession session = observer(db.conninfo());
    const std::string first = ask(session, "SELECT pg_backend_pid()");
    ASSERT_NE(first, "");
    ASSERT_EQ(db.sql().scalar("SELECT pg_terminate_backend(" + first + ")"), Value("t"));
    wait_gone(first);

    EXPECT_EQ(session.ask("SELECT pg_backend_pid()"), std::nullopt);
    const std::string second = ask(session, "SELECT pg_backend_pid()");
    EXPECT_NE(second, "");
    EXPECT_NE(second, first);
}

// On the server's own session a late answer is a loaded machine, not a pool with no connection to spare.
// Before: the session was closed for the run, and every later look at who blocks a statement went unanswered.
TEST_F(ObserverSession, ALateAnswerOnTheServersOwnSessionIsNoAnswerAndTheNextQuestionOpensAnother) {
    db::ObserverSession session = observer(db.conninfo());
    const std::string first = ask(session, "SELECT pg_backend_pid()");
    ASSERT_NE(first, "");

    EXPECT_EQ(session.ask("SELECT pg_sleep(2)"), std::nullopt);
    wait_gone(first);  // closing dropped the sleep
    const std::string second = ask(session, "SELECT pg_backend_pid()");
    EXPECT_NE(second, "");
    EXPECT_NE(second, first);
}

// Behind transaction pooling a question waits for a server connection, which the lock and the migration hold
// for as long as they run: asking again would cost half a second at every look.
TEST_F(ObserverSession, ALateAnswerBehindTransactionPoolingEndsTheQuestionsForTheRun) {
    const PgBouncer bouncer(db.server(), {"transaction", 1, {}});
    Connection holder(bouncer.conninfo(db.name(), "holder"));
    holder.exec("BEGIN");
    holder.exec("SELECT 1");  // the pool's one server connection, until COMMIT
    db::ObserverSession session = observer(bouncer.url(db.name()));

    EXPECT_EQ(session.ask("SELECT 1"), std::nullopt);
    holder.exec("COMMIT");
    const auto asked = Clock::now();
    EXPECT_EQ(session.ask("SELECT 1"), std::nullopt);
    EXPECT_LT(Clock::now() - asked, 100ms);
    EXPECT_FALSE(session.open());
}

// Through a pooler nothing is pinned: in session pooling the server's idle_session_timeout ends the server
// connection, and PgBouncer the client's session with it.
TEST_F(ObserverSession, AnIdleTimeoutBehindSessionPoolingIsNoAnswerAndTheNextQuestionOpensAnother) {
    db.admin().exec("ALTER DATABASE " + db.name() + " SET idle_session_timeout = '300ms'");
    const PgBouncer bouncer(db.server(), {"session", 2, {}});
    db::ObserverSession session = observer(bouncer.url(db.name()));
    const std::string first = ask(session, "SELECT pg_backend_pid()");
    ASSERT_NE(first, "");
    wait_gone(first);

    EXPECT_EQ(session.ask("SELECT pg_backend_pid()"), std::nullopt);
    const std::string second = ask(session, "SELECT pg_backend_pid()");
    EXPECT_NE(second, "");
    EXPECT_NE(second, first);
}

}  // namespace
}  // namespace pgentry::test
