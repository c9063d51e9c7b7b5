#include "db/observer_session.hpp"

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr auto answer_timeout = std::chrono::milliseconds(500);

// The session SETs of the header, as one statement that runs before the first question in the same query
// string. They are made only when the server's pg_backend_pid() is the one libpq got at connect, the test
// Connection::direct_backend_pid makes, made here in the server: behind a pooler (PgBouncer sends a pid of
// its own making) the WHERE is false, and a SELECT list is not evaluated for a row that the WHERE filters
// out, so no set_config runs.
std::string pin(const Connection& connection) {
    std::string settings =
        "set_config('statement_timeout', '0', false), "
        "set_config('default_transaction_isolation', 'read committed', false)";
    if (connection.server_version() >= 140000) {
        settings += ", set_config('idle_session_timeout', '0', false)";
    }
    return fmt::format("SELECT {} WHERE pg_backend_pid() = {}; ", settings, connection.backend_pid());
}

}  // namespace

bool ObserverSession::open() {
    if (!connection_ && !refused_) {
        try {
            connection_.emplace(Connection::open(loop_, params_, Clock::now() + connect_timeout_));
            pinned_ = false;
        } catch (const ConnectError& failure) {
            refused_ = true;
            log::debug(fmt::format("no session for {}: {}", purpose_, failure.what()));
        }
    }
    return connection_.has_value();
}

std::optional<Result> ObserverSession::ask(const std::string& sql) {
    if (!open()) {
        return std::nullopt;
    }
    std::optional<Result> answer;
    try {
        connection_->send(pinned_ ? sql : pin(*connection_) + sql);
        answer = connection_->await_result(Clock::now() + answer_timeout);
    } catch (const QueryError& failure) {
        const std::string said =
            fmt::format("SQLSTATE {}: {}", failure.error().sqlstate, failure.first_line());
        if (connection_->healthy()) {
            log::debug(fmt::format("{}: {}", purpose_, said));
        } else {
            close();
            log::debug(
                fmt::format("{}: the session ended ({}); the next question opens another", purpose_, said));
        }
        return std::nullopt;
    }
    if (!answer) {
        close();
        refused_ = true;
        log::debug("no server connection to spare for " + purpose_);
        return std::nullopt;
    }
    pinned_ = true;
    return answer;
}

}  // namespace pgentry::db
