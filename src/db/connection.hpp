#pragma once
// A libpq connection driven by the EventLoop: every wait can be interrupted by a stop signal,
// which cancels the statement in flight (PQcancel) before pgentry unwinds.
// pgentry's settings on the session that migrates are db/migration_session.hpp's; transactions are
// db/transaction.hpp's.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "db/database_url.hpp"
#include "db/errors.hpp"
#include "db/event_loop.hpp"
#include "db/result.hpp"

namespace pgentry::db {

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

    // The rows that the COPY ... TO STDOUT in sql sends, as they come (COPY's text format: a line a row,
    // columns split by tabs, NULL as \N). Throws QueryError.
    std::string copy_out(const std::string& sql);

    // The same, split in two so a caller can do other work while a statement waits (a lock).
    // copy_rows: the data a COPY ... FROM STDIN in sql reads, in the COPY's format (SPEC "Migration files"),
    // sent by await_result when the server asks for it; it must outlive the statement's await_result. A
    // COPY FROM STDIN without it fails (the server is told so) and a COPY TO STDOUT outside copy_out() fails
    // (its rows are discarded): no server response leaves the result loop waiting or spinning.
    void send(const std::string& sql, std::optional<std::string_view> copy_rows = std::nullopt);
    // The statement's result, or nullopt when the deadline passed first (the statement keeps running).
    std::optional<Result> await_result(std::optional<Clock::time_point> deadline);

    EventLoop& loop() const { return *loop_; }
    int backend_pid() const { return PQbackendPID(conn_.get()); }
    // pg_backend_pid() when the server connection is the one libpq connected to; 0 behind a pooler, whose key
    // data carries a pid of its own making (PgBouncer). One round trip.
    int direct_backend_pid();
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
    // PQgetResult returns a COPY status again and again until the copy ends: ends it (sending copy_rows_
    // first, for COPY IN) and reads it to its end. ready when it has ended.
    EventLoop::Wake end_copy(ExecStatusType status, std::optional<Clock::time_point> deadline);
    EventLoop::Wake flush(std::optional<Clock::time_point> deadline);

    EventLoop* loop_;
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel_;
    // What the statement in flight has returned so far. A deadline can pass after its last result (or its
    // error) and before its end: the ErrorResponse is flushed when the error is raised, the ReadyForQuery
    // once the transaction is aborted (PostgreSQL's elog.c), and on a loaded machine that is a gap. The
    // next await_result goes on from here instead of finding no result at all.
    struct StatementEnd {
        std::optional<Result> last;
        std::optional<ServerError> failure;
    };
    StatementEnd statement_;
    std::optional<std::string_view> copy_rows_;  // given to send(), not yet queued for the server
    std::string* copied_out_ = nullptr;          // where copy_out() collects a COPY TO's rows
};

}  // namespace pgentry::db
