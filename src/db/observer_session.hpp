#pragma once
// A side session that watches the worker's statement while it runs, between whose questions it sits idle:
// the looks at who blocks a statement (blocking_session.hpp) and the checks for a wait on pgentry's own lock
// (table_lock.hpp). The migration must never wait for it, nor fail because of it:
// - it opens at the first question (or earlier, on request); a refused connect (a connection limit) is
//   remembered, and every question is then unanswered for the rest of the run;
// - an answer that does not come within half a second closes it, which drops the queued query: for good
//   behind a transaction-pooling proxy (whose server connections the lock and the migration hold, at every
//   look), until the next question on a session of the server's own (a loaded machine);
// - a session that has ended (terminated, a server restart, an idle timeout behind a pooler in session mode)
//   leaves that question unanswered, and the next question opens another;
// - on a session of pgentry's own it pins what SPEC "The migrations table and the lock" asks of observer
//   sessions whatever the role's or database's defaults: statement_timeout = 0, READ COMMITTED, and on
//   PostgreSQL 14+ idle_session_timeout = 0 (a role's '1s' would end it between two looks a second apart).
//   The SETs go just before the first question, and their answer says whether the session is the server's
//   own or a pooler's. Through a pooler nothing is pinned, as on the worker (migration_session.hpp): a
//   session setting would stay on a server connection the application gets next, and the server's
//   idle_session_timeout ends only the pooler's server connection, which the pooler replaces.
#include <optional>
#include <string>

#include "db/connection.hpp"

namespace pgentry::db {

class ObserverSession {
public:
    // purpose: what the session is for, as the debug lines say it ("seeing who blocks migration statements").
    // connect_timeout bounds each opening.
    ObserverSession(EventLoop& loop, ConnectParams params, Clock::duration connect_timeout,
                    std::string purpose)
        : loop_(loop),
          params_(std::move(params)),
          connect_timeout_(connect_timeout),
          purpose_(std::move(purpose)) {}

    // Opens the session now, unless one is open or none is to be had; false when none is (questions are then
    // unanswered). Interrupted on a stop signal; no other exception.
    bool open();

    // sql's result (one statement, no parameters), or nullopt when there is no answer: no session to be had,
    // the session had ended (the next question opens another; logged at debug), the server refused sql, or
    // no answer in time. Interrupted on a stop signal; no other exception.
    std::optional<Result> ask(const std::string& sql);

    // Ends the session, freeing its server slot; a later question opens another.
    void close() { connection_.reset(); }

private:
    EventLoop& loop_;
    ConnectParams params_;
    Clock::duration connect_timeout_;
    std::string purpose_;
    std::optional<Connection> connection_;
    bool pinned_ = false;   // the SETs were answered on this connection
    bool direct_ = false;   // the last SETs answered said the sessions are the server's own, not a pooler's
    bool refused_ = false;  // no session to be had: do not try again in this run
};

}  // namespace pgentry::db
