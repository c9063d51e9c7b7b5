#include "late_ready_for_query.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "closed_port.hpp"

namespace pgentry::test {

namespace {

using Clock = std::chrono::steady_clock;

// The server as libpq would reach it: a Unix socket in the directory `host`, or TCP.
int connect_upstream(const Server& server) {
    if (server.host.starts_with('/')) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        const std::string path = server.host + "/.s.PGSQL." + server.port;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
            return fd;
        }
        ::close(fd);
        return -1;
    }
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(server.host.c_str(), server.port.c_str(), &hints, &found) != 0) {
        return -1;
    }
    int fd = -1;
    for (const addrinfo* each = found; each && fd < 0; each = each->ai_next) {
        fd = ::socket(each->ai_family, each->ai_socktype | SOCK_CLOEXEC, each->ai_protocol);
        if (fd >= 0 && ::connect(fd, each->ai_addr, each->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    return fd;
}

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t written = ::write(fd, data, size);
        if (written < 0 && errno == EINTR) {
            continue;
        }
        if (written <= 0) {
            return false;
        }
        data += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

// The size of the whole message at the head of `bytes` (a type byte, then a length that counts itself), or 0
// while it has not all come.
std::size_t whole_message(const std::string& bytes) {
    if (bytes.size() < 5) {
        return 0;
    }
    std::uint32_t length = 0;
    std::memcpy(&length, bytes.data() + 1, sizeof length);
    const std::size_t size = 1 + std::size_t{ntohl(length)};
    return bytes.size() >= size ? size : 0;
}

}  // namespace

LateReadyForQuery::LateReadyForQuery(const Server& server, std::chrono::milliseconds late)
    : server_(server), late_(late), listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (listener_ < 0) {
        throw std::system_error(errno, std::generic_category(), "socket");
    }
    try {
        port_ = bind_loopback(listener_);
        if (::listen(listener_, 1) != 0 || ::pipe2(stop_, O_CLOEXEC) != 0) {
            throw std::system_error(errno, std::generic_category(), "listen");
        }
    } catch (...) {
        ::close(listener_);
        throw;
    }
    thread_ = std::thread([this] { relay(); });
}

LateReadyForQuery::~LateReadyForQuery() {
    ::close(stop_[1]);
    thread_.join();
    ::close(stop_[0]);
    ::close(listener_);
}

std::string LateReadyForQuery::url(const std::string& dbname) const {
    return make_url("127.0.0.1", std::to_string(port_), server_.user, server_.password, dbname) +
           "?sslmode=disable&gssencmode=disable";
}

void LateReadyForQuery::relay() {
    pollfd first[2] = {{listener_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (::poll(first, 2, -1) <= 0 || first[1].revents != 0) {
        return;
    }
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    const int upstream = connect_upstream(server_);
    std::string from_server;
    constexpr Clock::time_point none = Clock::time_point::max();
    Clock::time_point due = none;  // when the ReadyForQuery at the head of from_server goes
    char chunk[65536];
    for (bool open = client >= 0 && upstream >= 0; open;) {
        for (std::size_t size = 0; open && (size = whole_message(from_server)) > 0;) {
            if (from_server[0] == 'Z') {
                due = due == none ? Clock::now() + late_ : due;
                if (Clock::now() < due) {
                    break;
                }
                due = none;
            }
            open = write_all(client, from_server.data(), size);
            from_server.erase(0, size);
        }
        const int timeout_ms =
            due == none
                ? -1
                : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count()) +
                      1;
        pollfd fds[3] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}, {stop_[0], POLLIN, 0}};
        if (!open || (::poll(fds, 3, timeout_ms) < 0 && errno != EINTR) || fds[2].revents != 0) {
            break;
        }
        if (fds[0].revents != 0) {
            const ssize_t got = ::read(client, chunk, sizeof chunk);
            open = got > 0 && write_all(upstream, chunk, static_cast<std::size_t>(got));
        }
        if (fds[1].revents != 0 && open) {
            const ssize_t got = ::read(upstream, chunk, sizeof chunk);
            open = got > 0;
            if (open) {
                from_server.append(chunk, static_cast<std::size_t>(got));
            }
        }
    }
    ::close(client);
    ::close(upstream);
}

}  // namespace pgentry::test
