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

    // For the sessions that lock and migrate. PostgreSQL 14+ aborts a running statement within a
    // second of this client dying, instead of finishing it with the lock held; and no idle timeout
    // of the server's or the role's may end the lock's session half-way through the migrations.
    void prepare_for_migrating();

    EventLoop& loop() const { return *loop_; }
    int backend_pid() const { return PQbackendPID(conn_.get()); }
    int server_version() const { return PQserverVersion(conn_.get()); }
    std::string database() const { return PQdb(conn_.get()); }
    bool in_transaction() const;
    bool healthy() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

    // Cancels the statement in flight (PQcancel) and waits briefly for its end, rolling back an open
    // transaction: the lock can go now rather than when the server notices the closed socket.
    void cancel_and_drain();

private:
    Connection(EventLoop& loop, PGconn* conn);
    // PQgetResult returns a COPY status again and again until the copy ends: ends it (sending copy_rows_
    // first, for COPY IN) and reads it to its end. ready when it has ended.
    EventLoop::Wake end_copy(ExecStatusType status, std::optional<Clock::time_point> deadline);
    EventLoop::Wake flush(std::optional<Clock::time_point> deadline);

    EventLoop* loop_;
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel_;
    std::optional<std::string_view> copy_rows_;  // given to send(), not yet queued for the server
};

}  // namespace pgentry::db
