#pragma once
// What the db layer throws: a statement the server (or libpq) refused, and a failed connection attempt.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <libpq-fe.h>

#include "db/connect_message.hpp"

namespace pgentry::db {

// SQLSTATE lock_not_available (PostgreSQL "Appendix A. Error Codes"): a NOWAIT lock another session holds, or
// lock_timeout ran out.
inline constexpr std::string_view lock_not_available = "55P03";

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
    // The message up to its first line break, for a line of log: a session the server ended says its FATAL
    // line, then libpq's "server closed the connection unexpectedly" and what that probably means.
    std::string first_line() const { return error_.message.substr(0, error_.message.find('\n')); }

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

// The fields of a PGRES_FATAL_ERROR or PGRES_BAD_RESPONSE result (PQresultErrorField).
ServerError server_error(const PGresult* result);
// A client-side failure (connection lost, out of memory) in the server's shape: PQerrorMessage with the
// given SQLSTATE (08006 for a lost connection).
ServerError client_error(PGconn* conn, const char* sqlstate);
// A result that no statement pgentry sends should produce (COPY TO STDOUT, COPY BOTH, ...): the statement
// fails instead of pgentry guessing.
ServerError unexpected_result(ExecStatusType status);
// A failed PQconnectPoll: its verbose message, classified.
ConnectError connect_error(PGconn* conn);

}  // namespace pgentry::db
