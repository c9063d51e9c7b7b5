#include "db/connection.hpp"

#include <utility>

#include "common/error.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr auto cancel_grace = std::chrono::seconds(5);
// COPY rows go to libpq this much at a time, so that its output buffer stays small.
constexpr std::size_t copy_chunk = std::size_t{64} * 1024;

bool is_copy(ExecStatusType status) {
    return status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
}

void forward_notice(void*, const PGresult* result) {
    const ServerError notice = server_error(result);
    log::debug("server: " + notice.message, {{"sqlstate", notice.sqlstate}});
}

}  // namespace

Connection::Connection(EventLoop& loop, PGconn* conn)
    : loop_(&loop), conn_(conn, &PQfinish), cancel_(nullptr, &PQfreeCancel) {}

Connection Connection::open(EventLoop& loop, const ConnectParams& params, Clock::time_point deadline) {
    PGconn* raw = params.url.start_connecting("application_name", params.application_name).release();
    Connection connection(loop, raw);
    PQsetNoticeReceiver(raw, forward_notice, nullptr);
    // Verbose messages carry the SQLSTATE, which tells a wrong password from a server starting up.
    PQsetErrorVerbosity(raw, PQERRORS_VERBOSE);

    auto status = PQstatus(raw) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED) {
            throw connect_error(raw);
        }
        auto event = status == PGRES_POLLING_READING ? EventLoop::SocketEvent::readable
                                                     : EventLoop::SocketEvent::writable;
        switch (loop.wait_socket(PQsocket(raw), event, deadline)) {
        case EventLoop::Wake::timeout: throw ConnectError({"", "timed out"}, ConnectFailure::retry);
        case EventLoop::Wake::stop_signal: throw Interrupted(*loop.stop_signal());
        case EventLoop::Wake::ready: break;
        }
        status = PQconnectPoll(raw);
    }
    PQsetErrorVerbosity(raw, PQERRORS_DEFAULT);
    connection.cancel_.reset(PQgetCancel(raw));
    return connection;
}

int Connection::direct_backend_pid() {
    const int pid = static_cast<int>(exec("SELECT pg_backend_pid()").integer(0, 0));
    return pid == backend_pid() ? pid : 0;
}

Result Connection::exec(const std::string& sql) {
    send(sql);
    return *await_result(std::nullopt);
}

Result Connection::exec(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) {
        values.push_back(param.c_str());
    }
    statement_ = {};
    if (!PQsendQueryParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                           nullptr, nullptr, 0)) {
        throw QueryError(client_error(conn_.get(), "08006"));
    }
    return *await_result(std::nullopt);
}

std::string Connection::copy_out(const std::string& sql) {
    std::string rows;
    send(sql);
    copied_out_ = &rows;
    struct Stop {
        std::string*& sink;
        ~Stop() { sink = nullptr; }
    } stop{copied_out_};
    await_result(std::nullopt);
    return rows;
}

void Connection::send(const std::string& sql, std::optional<std::string_view> copy_rows) {
    statement_ = {};
    if (!PQsendQuery(conn_.get(), sql.c_str())) {
        throw QueryError(client_error(conn_.get(), "08006"));
    }
    copy_rows_ = copy_rows;
}

std::optional<Result> Connection::await_result(std::optional<Clock::time_point> deadline) {
    std::optional<Result>& last = statement_.last;
    std::optional<ServerError>& failure = statement_.failure;
    const auto go_on = [&](EventLoop::Wake wake) {  // false: the deadline passed
        if (wake == EventLoop::Wake::stop_signal) {
            cancel_and_drain();
            throw Interrupted(*loop_->stop_signal());
        }
        return wake == EventLoop::Wake::ready;
    };
    for (;;) {
        // What a copy left queued when the deadline cut it short goes first: the server waits for it.
        if (PQisnonblocking(conn_.get())) {
            if (!go_on(flush(deadline))) {
                return std::nullopt;
            }
            PQsetnonblocking(conn_.get(), 0);
        }
        while (PQisBusy(conn_.get())) {
            switch (loop_->wait_socket(PQsocket(conn_.get()), EventLoop::SocketEvent::readable, deadline)) {
            case EventLoop::Wake::timeout: return std::nullopt;
            case EventLoop::Wake::stop_signal: cancel_and_drain(); throw Interrupted(*loop_->stop_signal());
            case EventLoop::Wake::ready: break;
            }
            if (!PQconsumeInput(conn_.get())) {
                throw QueryError(client_error(conn_.get(), "08006"));
            }
        }
        PGresult* result = PQgetResult(conn_.get());
        if (!result) {
            break;
        }
        auto status = PQresultStatus(result);
        if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
            if (!failure) {
                failure = server_error(result);
            }
            PQclear(result);
        } else if (is_copy(status)) {
            PQclear(result);
            if (status != PGRES_COPY_IN && !(status == PGRES_COPY_OUT && copied_out_)) {
                if (!failure) {
                    failure = unexpected_result(status);
                }
                deadline.reset();  // the rows end when they end; returning early would lose the failure
            }
            if (!go_on(end_copy(status, deadline))) {
                return std::nullopt;
            }
        } else if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
            last.emplace(result);
        } else {
            if (!failure) {
                failure = unexpected_result(status);
            }
            PQclear(result);
        }
    }
    StatementEnd end = std::exchange(statement_, {});
    if (end.failure) {
        throw QueryError(*end.failure);
    }
    if (!end.last) {
        throw QueryError(client_error(conn_.get(), "08006"));
    }
    return std::move(end.last);
}

// The server aborts the statement and its transaction; waiting briefly for that lets the lock go
// now rather than when the server notices the closed socket.
void Connection::cancel_and_drain() {
    char reason[256];
    if (cancel_) {
        PQcancel(cancel_.get(), reason, sizeof reason);
    }
    auto deadline = Clock::now() + cancel_grace;
    statement_ = {};
    copy_rows_.reset();  // a COPY IN still in progress ends with an error, not with the rest of its rows
    if (PQisnonblocking(conn_.get()) && flush(deadline) != EventLoop::Wake::ready) {
        return;
    }
    for (;;) {
        while (PQisBusy(conn_.get())) {
            if (loop_->wait_socket(PQsocket(conn_.get()), EventLoop::SocketEvent::readable, deadline) !=
                    EventLoop::Wake::ready ||
                !PQconsumeInput(conn_.get())) {
                return;
            }
        }
        PGresult* result = PQgetResult(conn_.get());
        if (!result) {
            break;
        }
        const auto status = PQresultStatus(result);
        PQclear(result);
        if (is_copy(status) && end_copy(status, deadline) != EventLoop::Wake::ready) {
            return;
        }
    }
    if (in_transaction()) {
        PQclear(PQexec(conn_.get(), "ROLLBACK"));
    }
}

EventLoop::Wake Connection::end_copy(ExecStatusType status, std::optional<Clock::time_point> deadline) {
    PGconn* conn = conn_.get();
    if (status != PGRES_COPY_OUT) {
        // Nonblocking: when the server reads slower than we write (triggers, a slow disk), the wait is in the
        // event loop, where stop signals and the deadline are seen, not inside libpq.
        PQsetnonblocking(conn, 1);
        while (status == PGRES_COPY_IN && copy_rows_ && !copy_rows_->empty()) {
            const std::string_view chunk = copy_rows_->substr(0, copy_chunk);
            const int queued = PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size()));
            if (queued < 0) {
                throw QueryError(client_error(conn, "08006"));
            }
            if (queued > 0) {
                copy_rows_->remove_prefix(chunk.size());
            }
            if (auto wake = flush(deadline); wake != EventLoop::Wake::ready) {
                return wake;
            }
        }
        // A COPY FROM STDIN nobody gave rows for would wait for them forever: the server is told why and
        // fails the statement with that reason.
        const char* refusal =
            status == PGRES_COPY_IN && !copy_rows_ ? "pgentry: COPY FROM STDIN without inline data" : nullptr;
        int ended = 0;
        while ((ended = PQputCopyEnd(conn, refusal)) == 0) {
            if (auto wake = flush(deadline); wake != EventLoop::Wake::ready) {
                return wake;
            }
        }
        if (ended < 0) {
            throw QueryError(client_error(conn, "08006"));
        }
        copy_rows_.reset();
        if (auto wake = flush(deadline); wake != EventLoop::Wake::ready) {
            return wake;
        }
        PQsetnonblocking(conn, 0);
        if (status == PGRES_COPY_IN) {
            return EventLoop::Wake::ready;
        }
    }
    // COPY OUT, and COPY BOTH after our end of it: the server's rows are read to their end, and kept only for
    // copy_out().
    std::string* const sink = status == PGRES_COPY_OUT ? copied_out_ : nullptr;
    for (;;) {
        char* row = nullptr;
        const int size = PQgetCopyData(conn, &row, 1);
        if (row) {
            if (sink) {
                sink->append(row, static_cast<std::size_t>(size));
            }
            PQfreemem(row);
        }
        if (size == -1) {
            return EventLoop::Wake::ready;
        }
        if (size == -2) {
            throw QueryError(client_error(conn, "08006"));
        }
        if (size == 0) {
            auto wake = loop_->wait_socket(PQsocket(conn), EventLoop::SocketEvent::readable, deadline);
            if (wake != EventLoop::Wake::ready) {
                return wake;
            }
            if (!PQconsumeInput(conn)) {
                throw QueryError(client_error(conn, "08006"));
            }
        }
    }
}

// In nonblocking mode: until libpq has sent what it queued. libpq reads what the server sends meanwhile,
// so that a server blocked on writing to us cannot deadlock the copy.
EventLoop::Wake Connection::flush(std::optional<Clock::time_point> deadline) {
    for (;;) {
        const int pending = PQflush(conn_.get());
        if (pending == 0) {
            return EventLoop::Wake::ready;
        }
        if (pending < 0) {
            throw QueryError(client_error(conn_.get(), "08006"));
        }
        auto wake = loop_->wait_socket(PQsocket(conn_.get()), EventLoop::SocketEvent::writable, deadline);
        if (wake != EventLoop::Wake::ready) {
            return wake;
        }
    }
}

void Connection::close() {
    cancel_.reset();
    conn_.reset();
}

bool Connection::in_transaction() const {
    auto status = PQtransactionStatus(conn_.get());
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

}  // namespace pgentry::db
