#pragma once
// The one Boost.Asio loop of the migrating stages: database sockets, timers and stop signals.
//
// Signals are blocked from main's first instruction (so pending ones survive the exec into the
// supervisor), which rules out asio::signal_set: its handlers never run for blocked signals.
// The stop signals are read from a signalfd that the loop watches like any socket.
#include <chrono>
#include <exception>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace pgentry::db {

using Clock = std::chrono::steady_clock;

class EventLoop {
public:
    enum class Wake { ready, timeout, stop_signal };
    enum class SocketEvent { readable, writable };  // what wait_socket waits for

    EventLoop();  // reads SIGTERM, SIGINT, SIGQUIT and SIGHUP; the caller has blocked them
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;
    ~EventLoop();

    // Until fd is ready, the deadline passes, or a stop signal arrives.
    Wake wait_socket(int fd, SocketEvent event, std::optional<Clock::time_point> deadline);
    Wake sleep_until(Clock::time_point deadline);

    // The last stop signal read, if any.
    std::optional<int> stop_signal() const { return stop_signal_; }

    // From another thread: the wait running in the loop's thread (or its next one) throws failure instead of
    // returning. How work done beside the loop ends a wait it has made pointless: a bad migration file read
    // while connecting (pipeline/read_ahead.hpp) is reported at once, not after --wait-timeout.
    void interrupt(std::exception_ptr failure);

private:
    Wake run(boost::asio::posix::stream_descriptor* socket,
             boost::asio::posix::descriptor_base::wait_type wait, std::optional<Clock::time_point> deadline);

    boost::asio::io_context io_;
    boost::asio::posix::stream_descriptor signals_;
    std::optional<int> stop_signal_;
    // Set by the handler that interrupt posts, so only the loop's thread touches it.
    std::exception_ptr interruption_;
};

}  // namespace pgentry::db
