#pragma once
// A libpq connection driven by the EventLoop: every wait can be interrupted by a stop signal,
// which cancels the statement in flight (PQcancel) before pgentry unwinds.
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db/connect_message.hpp"
#include "db/database_url.hpp"
#include "db/event_loop.hpp"

namespace pgentry::db {

// What the server said about a failed statement.
struct ServerError {
    std::string severity;
    std::string sqlstate;
    std::string message;
    std::string detail;
    std::string hint;
    std::optional<int> position;  // 1-based character offset in the statement
    std::string context;          // where it happened: 'COPY items, line 2, column id: "x"', a PL/pgSQL line
};

class QueryError : public std::runtime_error {
public:
    explicit QueryError(ServerError error);
    const ServerError& error() const { return error_; }

private:
    ServerError error_;
};

// A failed connection attempt: libpq's message taken apart, and what it means (db/connect_message.hpp).
class ConnectError : public std::runtime_error {
public:
    ConnectError(const ConnectMessage& message, ConnectFailure failure)
        : std::runtime_error(message.text), sqlstate_(message.sqlstate), failure_(failure) {}
    const std::string& sqlstate() const { return sqlstate_; }
    ConnectFailure failure() const { return failure_; }

private:
    std::string sqlstate_;
    ConnectFailure failure_;
};

class Result {
public:
    explicit Result(PGresult* result) : result_(result, &PQclear) {}
    int rows() const { return PQntuples(result_.get()); }
    bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
    std::string text(int row, int column) const { return PQgetvalue(result_.get(), row, column); }
    std::optional<std::string> optional_text(int row, int column) const;
    std::int64_t integer(int row, int column) const;

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// Where and how to connect: the user's URL or conninfo, already checked (empty: libpq's PG* defaults).
struct ConnectParams {
    DatabaseUrl url;
    std::string application_name;
};

class Connection {
public:
    // One attempt, bounded by deadline. Throws ConnectError, or Interrupted on a stop signal.
    static Connection open(EventLoop& loop, const ConnectParams& params, Clock::time_point deadline);

    Result exec(const std::string& sql);
    Result exec(const std::string& sql, const std::vector<std::string>& params);

    // The same, split in two so a caller can do other work while a statement waits (a lock).
    // copy_rows: the data a COPY ... FROM STDIN in sql reads, in the COPY's format (SPEC "Migration files"),
    // sent by await_result when the server asks for it; it must outlive the statement's await_result. A
    // COPY FROM STDIN without it fails (the server is told so) and COPY TO STDOUT fails (its rows are
    // discarded): no server response leaves the result loop waiting or spinning.
    void send(const std::string& sql, std::optional<std::string_view> copy_rows = std::nullopt);
    // The statement's result, or nullopt when the deadline passed first (the statement keeps running).
    std::optional<Result> await_result(std::optional<Clock::time_point> deadline);

    // pgentry's session policy (SPEC "The migrations table and the lock", issue 8 item 4). What pgentry
    // needs from a session: PostgreSQL 14+ aborts a running statement within a second of this client
    // dying (client_connection_check_interval = 1 s) instead of finishing it with the lock held; no
    // idle timeout of the server's or the role's ends a session half-way through the migrations; and
    // --statement-timeout, when given, bounds migration statements (otherwise the server's setting
    // stays). None of it may outlive pgentry's use of a server connection: behind PgBouncer in
    // transaction pooling, the application is the next client of that server connection. So:
    // - inside a transaction it is SET LOCAL right after BEGIN, and ends with the transaction;
    // - outside one (the idle worker, transaction:false sections) it is a session SET only on a session
    //   of pgentry's own (no pooler in between), which ends when pgentry closes it. Through a pooler
    //   nothing is set there: each autocommit statement may run on another server connection, so a
    //   SET and its RESET may land on different ones and the SET would stay; and an idle client of a
    //   pooler holds no server session that an idle timeout could end. A transaction:false section
    //   through a pooler therefore runs without the connection check and without --statement-timeout.

    // BEGIN and, in the same round trip, the SET LOCALs above; statement_timeout in ms, nullopt: the
    // server's setting.
    void begin(std::optional<std::chrono::milliseconds> statement_timeout);
    // Outside a transaction, on a session of pgentry's own: the session SETs above. Returns false (and
    // sets nothing) through a pooler.
    bool pin_session(std::optional<std::chrono::milliseconds> statement_timeout);
    // Undoes what a migration changed with SET, SET ROLE, SET SESSION AUTHORIZATION or set_config
    // (RESET ALL keeps the role's and database's defaults), then pins again what pgentry needs: inside
    // a transaction it commits or rolls back with it, so through a pooler too the next client of the
    // server connection never sees the migration's settings. One round trip.
    void restore_session();
    // Whether a proxy (PgBouncer, ...) sits between pgentry and the server: the backend pid the server
    // reports differs from the one of the handshake. Asked once, on first use.
    bool through_pooler();

    EventLoop& loop() const { return *loop_; }
    int backend_pid() const { return PQbackendPID(conn_.get()); }
    int server_version() const { return PQserverVersion(conn_.get()); }
    std::string database() const { return PQdb(conn_.get()); }
    std::string user() const { return PQuser(conn_.get()); }  // the role that logged in
    bool in_transaction() const;
    bool healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    // Ends the session now (its server slot is free for another client); healthy() is false after.
    void close();

    // Cancels the statement in flight (PQcancel) and waits briefly for its end, rolling back an open
    // transaction: the lock can go now rather than when the server notices the closed socket.
    void cancel_and_drain();

private:
    Connection(EventLoop& loop, PGconn* conn);
    // The SET LOCALs of the session policy ("SET LOCAL ...; " each).
    std::string pinned_locals(std::optional<std::chrono::milliseconds> statement_timeout) const;
    // PQgetResult returns a COPY status again and again until the copy ends: ends it (sending copy_rows_
    // first, for COPY IN) and reads it to its end. ready when it has ended.
    EventLoop::Wake end_copy(ExecStatusType status, std::optional<Clock::time_point> deadline);
    EventLoop::Wake flush(std::optional<Clock::time_point> deadline);

    EventLoop* loop_;
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel_;
    std::optional<bool> through_pooler_;
    std::optional<std::string_view> copy_rows_;  // given to send(), not yet queued for the server
};

}  // namespace pgentry::db
