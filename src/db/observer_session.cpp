#include "db/observer_session.hpp"

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr auto answer_timeout = std::chrono::milliseconds(500);

// The session SETs of the header, as a statement of their own before the first question. They are made only
// when the server's pg_backend_pid() is the one libpq got at connect, the test Connection::direct_backend_pid
// makes, made here in the server: behind a pooler (PgBouncer sends a pid of its own making) the WHERE is
// false, and a SELECT list is not evaluated for a row that the WHERE filters out, so no set_config runs. Its
// one row (none behind a pooler) also says which of the two the session is.
std::string pin(const Connection& connection) {
    std::string settings =
        "set_config('statement_timeout', '0', false), "
        "set_config('default_transaction_isolation', 'read committed', false)";
    if (connection.server_version() >= 140000) {
        settings += ", set_config('idle_session_timeout', '0', false)";
    }
    return fmt::format("SELECT {} WHERE pg_backend_pid() = {}", settings, connection.backend_pid());
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
    const auto deadline = Clock::now() + answer_timeout;
    std::optional<Result> answer;
    try {
        const auto round_trip = [&](const std::string& query) {
            connection_->send(query);
            return connection_->await_result(deadline);
        };
        if (!pinned_) {
            const auto pinned = round_trip(pin(*connection_));
            pinned_ = pinned.has_value();
            direct_ = pinned && pinned->rows() == 1;
        }
        if (pinned_) {
            answer = round_trip(sql);
        }
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
        // Closing drops the queued query. Behind a pooler (or before the session said which it is) the answer
        // waits for a server connection the lock and the migration hold, and will at every look: no more
        // questions. On the server's own session it was only late (a loaded machine): the next opens another.
        refused_ = !direct_;
        close();
        log::debug(direct_ ? "a late answer for " + purpose_ + "; the next question opens another session"
                           : "no server connection to spare for " + purpose_);
        return std::nullopt;
    }
    return answer;
}

}  // namespace pgentry::db
