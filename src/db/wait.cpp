#include "db/wait.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/jitter.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

// Connects cost little, and finishing soon after the server comes up is the point of waiting.
constexpr auto first_backoff = std::chrono::milliseconds(10);
constexpr auto max_backoff = std::chrono::milliseconds(100);
constexpr auto log_every = std::chrono::seconds(2);
// Bounds a single attempt with --wait-timeout=0 (a host that drops packets never refuses).
constexpr auto single_attempt_limit = std::chrono::seconds(10);

constexpr std::string_view too_many_connections = "53300";
constexpr std::string_view two_sessions = "pgentry needs 2 connections per instance while migrating";
// Long enough that an instance with both sessions finishes its migrations between the others' tries.
constexpr auto first_pair_backoff = std::chrono::milliseconds(50);
constexpr auto max_pair_backoff = std::chrono::milliseconds(1000);

std::chrono::milliseconds remaining(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Connection wait_for_database(EventLoop& loop, const ConnectParams& params, std::chrono::milliseconds timeout,
                             const std::function<void()>& before_retrying) {
    const auto start = Clock::now();
    const auto deadline = start + (timeout.count() == 0 ? single_attempt_limit : timeout);
    const std::string& target = params.url.target();
    auto backoff = first_backoff;
    auto next_log = start;
    // Why the attempts fail. An attempt that --wait-timeout cuts short can only say "timed out": the reason
    // the attempts before it gave (a standby's 57P03 with its DETAIL, a missing database) is what the last
    // line must keep.
    std::string reason;
    bool retried = false;

    for (;;) {
        try {
            Connection connection = Connection::open(loop, params, deadline);
            log::debug(fmt::format("connected to {}, database {} (server {}, backend pid {})", target,
                                   connection.database(), connection.server_version(),
                                   connection.backend_pid()));
            return connection;
        } catch (const ConnectError& failure) {
            switch (failure.failure()) {
            case ConnectFailure::credentials:
                throw Error(
                    exit_code::auth_refused,
                    fmt::format("the database at {} refused the credentials: {}", target, failure.what()));
            case ConnectFailure::not_retried:
                throw Error(exit_code::unavailable,
                            fmt::format("could not connect to the database at {}, not retried: {}", target,
                                        failure.what()));
            case ConnectFailure::retry: break;
            }
            if (!std::exchange(retried, true) && before_retrying) {
                before_retrying();
            }
            if (reason.empty() || Clock::now() < deadline) {
                reason = failure.what();
            }
            const bool out_of_time = timeout.count() == 0 || Clock::now() + backoff >= deadline;
            if (out_of_time) {
                throw Error(exit_code::unavailable,
                            fmt::format("could not reach the database at {} within {:.1f} s: {}", target,
                                        seconds_since(start), reason));
            }
            if (Clock::now() >= next_log) {
                log::info(fmt::format("waiting for database at {} ({}), {:.1f} s so far", target, reason,
                                      seconds_since(start)));
                next_log = Clock::now() + log_every;
            }
        }
        if (loop.sleep_until(Clock::now() + backoff) == EventLoop::Wake::stop_signal) {
            throw Interrupted(*loop.stop_signal());
        }
        backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(max_backoff));
    }
}

Connection open_second(EventLoop& loop, const ConnectParams& params, Connection& first,
                       std::chrono::milliseconds timeout) {
    const auto start = Clock::now();
    const auto deadline = start + (timeout.count() == 0 ? single_attempt_limit : timeout);
    auto backoff = first_pair_backoff;
    bool told = false;
    // Waiting as for the first session; once a slot was refused, a 69 says that two are needed, even when
    // what ended the wait was the deadline cutting an attempt short.
    const auto wait_again = [&](std::chrono::milliseconds limit) {
        try {
            return wait_for_database(loop, params, limit);
        } catch (const Error& failure) {
            if (!told || failure.code() != exit_code::unavailable) {
                throw;
            }
            throw Error(exit_code::unavailable, fmt::format("{} ({})", failure.what(), two_sessions));
        }
    };
    for (;;) {
        try {
            return Connection::open(loop, params, deadline);
        } catch (const ConnectError& failure) {
            if (failure.sqlstate() != too_many_connections) {
                return wait_again(timeout.count() == 0 ? timeout : remaining(deadline));
            }
            if (timeout.count() == 0 || Clock::now() + backoff >= deadline) {
                throw Error(
                    exit_code::unavailable,
                    fmt::format("could not open a second connection to {} within {:.1f} s ({}): {}",
                                params.url.target(), seconds_since(start), two_sessions, failure.what()));
            }
            if (!std::exchange(told, true)) {
                log::info(
                    fmt::format("{}; the server refused the second ({}): closing the first and trying both "
                                "again",
                                two_sessions, failure.what()));
            }
        }
        first.close();
        // Between half and all of backoff: instances refused together do not come back together.
        if (loop.sleep_until(Clock::now() + jittered(backoff / 2, backoff)) == EventLoop::Wake::stop_signal) {
            throw Interrupted(*loop.stop_signal());
        }
        backoff =
            std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(max_pair_backoff));
        first = wait_again(remaining(deadline));
    }
}

}  // namespace pgentry::db
