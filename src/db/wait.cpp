#include "db/wait.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

// Connects cost little, and finishing soon after the server comes up is the point of waiting.
constexpr auto first_backoff = std::chrono::milliseconds(10);
constexpr auto max_backoff = std::chrono::milliseconds(100);
constexpr auto log_every = std::chrono::seconds(2);
// Bounds a single attempt with --wait-timeout=0 (a host that drops packets never refuses).
constexpr auto single_attempt_limit = std::chrono::seconds(10);

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Connection wait_for_database(EventLoop& loop, const ConnectParams& params, config::Duration timeout) {
    const auto start = Clock::now();
    const auto deadline = start + (timeout.count() == 0 ? single_attempt_limit : timeout);
    const std::string& target = params.url.target();
    auto backoff = first_backoff;
    auto next_log = start;

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
            const bool out_of_time = timeout.count() == 0 || Clock::now() + backoff >= deadline;
            if (out_of_time) {
                throw Error(exit_code::unavailable,
                            fmt::format("could not reach the database at {} within {:.1f} s: {}", target,
                                        seconds_since(start), failure.what()));
            }
            if (Clock::now() >= next_log) {
                log::info(fmt::format("waiting for database at {} ({}), {:.1f} s so far", target,
                                      failure.what(), seconds_since(start)));
                next_log = Clock::now() + log_every;
            }
        }
        if (loop.sleep_until(Clock::now() + backoff) == EventLoop::Wake::stop_signal) {
            throw Interrupted(*loop.stop_signal());
        }
        backoff = std::min(backoff * 2, std::chrono::duration_cast<std::chrono::milliseconds>(max_backoff));
    }
}

}  // namespace pgentry::db
