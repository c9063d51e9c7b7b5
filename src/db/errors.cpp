#include "db/errors.hpp"

#include <cctype>
#include <string>

namespace pgentry::db {

namespace {

std::string field(const PGresult* result, int code) {
    const char* value = PQresultErrorField(result, code);
    return value ? value : "";
}

}  // namespace

QueryError::QueryError(ServerError error) : std::runtime_error(error.message), error_(std::move(error)) {}

ServerError server_error(const PGresult* result) {
    ServerError error{field(result, PG_DIAG_SEVERITY_NONLOCALIZED),
                      field(result, PG_DIAG_SQLSTATE),
                      field(result, PG_DIAG_MESSAGE_PRIMARY),
                      field(result, PG_DIAG_MESSAGE_DETAIL),
                      field(result, PG_DIAG_MESSAGE_HINT),
                      std::nullopt,
                      field(result, PG_DIAG_CONTEXT)};
    if (std::string position = field(result, PG_DIAG_STATEMENT_POSITION); !position.empty()) {
        error.position = std::stoi(position);
    }
    if (error.message.empty()) {
        error.message = PQresultErrorMessage(result);
    }
    return error;
}

ServerError client_error(PGconn* conn, const char* sqlstate) {
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
        message.pop_back();
    }
    return ServerError{"ERROR", sqlstate, message, "", "", std::nullopt, ""};
}

ServerError unexpected_result(ExecStatusType status) {
    std::string message = status == PGRES_COPY_OUT
                              ? "COPY ... TO STDOUT is not supported (pgentry read its rows and dropped them)"
                          : status == PGRES_COPY_BOTH
                              ? "a COPY BOTH (replication) stream is not supported (pgentry ended it)"
                              : std::string("unexpected result from the server: ") + PQresStatus(status);
    return ServerError{"ERROR", status == PGRES_COPY_OUT ? "0A000" : "08P01", message, "", "", std::nullopt,
                       ""};
}

ConnectError connect_error(PGconn* conn) {
    ConnectMessage message = parse_connect_message(PQerrorMessage(conn));
    const ConnectFailure failure = classify(message, PQconnectionNeedsPassword(conn) != 0);
    return ConnectError(message, failure);
}

}  // namespace pgentry::db
