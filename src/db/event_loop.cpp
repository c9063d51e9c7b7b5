#include "db/event_loop.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <system_error>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace pgentry::db {

namespace {

int open_stop_signalfd() {
    sigset_t stop;
    sigemptyset(&stop);
    for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) {
        sigaddset(&stop, sig);
    }
    int fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "signalfd");
    }
    return fd;
}

}  // namespace

EventLoop::EventLoop() : signals_(io_, open_stop_signalfd()) {}

EventLoop::~EventLoop() = default;

// One wait: the socket (if any), the deadline and the signalfd race; the losers are cancelled
// and drained before returning, so no handler outlives this frame.
EventLoop::Wake EventLoop::run(boost::asio::posix::stream_descriptor* socket,
                               boost::asio::posix::descriptor_base::wait_type wait,
                               std::optional<Clock::time_point> deadline) {
    std::optional<Wake> wake;
    auto settle = [&wake](Wake w) {
        if (!wake) {
            wake = w;
        }
    };

    if (socket) {
        socket->async_wait(wait, [&settle](const boost::system::error_code& ec) {
            if (!ec) {
                settle(Wake::ready);
            }
        });
    }
    boost::asio::steady_timer timer(io_);
    if (deadline) {
        timer.expires_at(*deadline);
        timer.async_wait([&settle](const boost::system::error_code& ec) {
            if (!ec) {
                settle(Wake::timeout);
            }
        });
    }
    signals_.async_wait(boost::asio::posix::descriptor_base::wait_read,
                        [this, &settle](const boost::system::error_code& ec) {
                            if (ec) {
                                return;
                            }
                            signalfd_siginfo info{};
                            if (::read(signals_.native_handle(), &info, sizeof info) == sizeof info) {
                                stop_signal_ = static_cast<int>(info.ssi_signo);
                                settle(Wake::stop_signal);
                            }
                        });

    io_.restart();
    while (!wake && !interruption_ && io_.run_one() > 0) {
    }
    if (socket) {
        socket->cancel();
    }
    timer.cancel();
    signals_.cancel();
    io_.restart();
    io_.run();
    if (interruption_) {
        std::rethrow_exception(std::exchange(interruption_, nullptr));
    }
    return wake.value_or(Wake::timeout);
}

EventLoop::Wake EventLoop::wait_socket(int fd, SocketEvent event, std::optional<Clock::time_point> deadline) {
    // libpq owns the socket: the descriptor only watches it and gives it back unclosed.
    boost::asio::posix::stream_descriptor socket(io_, fd);
    Wake wake = run(&socket,
                    event == SocketEvent::readable ? boost::asio::posix::descriptor_base::wait_read
                                                   : boost::asio::posix::descriptor_base::wait_write,
                    deadline);
    socket.release();
    return wake;
}

void EventLoop::interrupt(std::exception_ptr failure) {
    boost::asio::post(io_, [this, failure = std::move(failure)] { interruption_ = failure; });
}

EventLoop::Wake EventLoop::sleep_until(Clock::time_point deadline) {
    return run(nullptr, boost::asio::posix::descriptor_base::wait_read, deadline);
}

}  // namespace pgentry::db
