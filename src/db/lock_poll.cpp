#include "db/lock_poll.hpp"

#include <fmt/format.h>

#include "common/error.hpp"
#include "db/jitter.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

constexpr auto first_report = std::chrono::seconds(1);
constexpr auto report_every = std::chrono::seconds(5);
// A try costs one to three round trips; 25-75 ms between them keeps a waiter's load on the server small
// and lets it in within about 50 ms of the release.
constexpr auto nap_min = std::chrono::milliseconds(25);
constexpr auto nap_max = std::chrono::milliseconds(75);

}  // namespace

bool poll_for_lock(PolledLock& lock, std::string_view what, EventLoop& loop, const TableName& table,
                   std::chrono::milliseconds timeout, const std::function<bool()>& still_needed) {
    const auto start = Clock::now();
    const Clock::time_point deadline = timeout.count() > 0 ? start + timeout : Clock::time_point::max();
    auto next_report = start + first_report;
    while (!lock.try_take()) {
        if (still_needed && !still_needed()) {
            log::debug(fmt::format("stopped waiting for {}: nothing left to do", what));
            return false;
        }
        const auto now = Clock::now();
        if (now >= deadline) {
            throw Error(exit_code::lock_timeout,
                        fmt::format("gave up waiting for {} on {} after {} ms (--lock-timeout): held by {}",
                                    what, table.text(), timeout.count(), lock.describe_holder()));
        }
        if (now >= next_report) {
            log::info(fmt::format("waiting for {} held by {}", what, lock.describe_holder()));
            next_report = Clock::now() + report_every;
        }
        if (loop.sleep_until(std::min(now + jittered(nap_min, nap_max), deadline)) ==
            EventLoop::Wake::stop_signal) {
            throw Interrupted(*loop.stop_signal());
        }
    }
    log::debug(
        fmt::format("took {} in {} ms", what,
                    std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count()));
    return true;
}

}  // namespace pgentry::db
