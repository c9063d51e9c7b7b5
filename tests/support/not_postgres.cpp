#include "not_postgres.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>
#include <vector>

#include "closed_port.hpp"

namespace pgentry::test {

NotPostgres::NotPostgres(Behaviour behaviour) : behaviour_(behaviour) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0 || ::pipe2(stop_.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "socket/pipe");
    }
    port_ = bind_loopback(listener_);
    if (::listen(listener_, 64) != 0) {
        throw std::system_error(errno, std::generic_category(), "listen on 127.0.0.1");
    }
    thread_ = std::thread([this] { serve(); });
}

NotPostgres::~NotPostgres() {
    const char byte = 0;
    [[maybe_unused]] const auto ignored = ::write(stop_[1], &byte, 1);
    thread_.join();
    for (const int fd : {listener_, stop_[0], stop_[1]}) {
        ::close(fd);
    }
}

void NotPostgres::serve() {
    std::vector<int> kept;  // the silent server's clients, closed only at the end
    bool closed_first = false;
    for (;;) {
        std::array<pollfd, 2> fds{{{listener_, POLLIN, 0}, {stop_[0], POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
            break;
        }
        if (fds[1].revents != 0) {
            break;
        }
        if (fds[0].revents == 0) {
            continue;
        }
        const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) {
            continue;
        }
        switch (behaviour_) {
        case Behaviour::garbage: {
            // libpq speaks first (an SSLRequest or the startup packet); answer once it has.
            pollfd readable{client, POLLIN, 0};
            if (::poll(&readable, 1, 1000) > 0) {
                std::array<char, 512> buffer{};
                [[maybe_unused]] const auto n = ::read(client, buffer.data(), buffer.size());
            }
            constexpr std::string_view reply = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
            [[maybe_unused]] const auto n = ::send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
            ::close(client);
            break;
        }
        case Behaviour::closes: ::close(client); break;
        case Behaviour::silent: kept.push_back(client); break;
        case Behaviour::closes_then_silent:
            if (closed_first) {
                kept.push_back(client);
            } else {
                ::close(client);
                closed_first = true;
            }
            break;
        }
    }
    for (const int fd : kept) {
        ::close(fd);
    }
}

}  // namespace pgentry::test
