#pragma once
// A port that refuses connections: what a test connects to when no server must answer.

namespace pgentry::test {

// Binds fd to a free port of 127.0.0.1 and returns it; throws std::system_error naming what failed.
int bind_loopback(int fd);

// A 127.0.0.1 port bound by the test but never listening: connecting is refused, and no other program
// can take the port while this object lives.
class ClosedPort {
public:
    ClosedPort();
    ~ClosedPort();
    ClosedPort(const ClosedPort&) = delete;
    ClosedPort& operator=(const ClosedPort&) = delete;

    int port() const { return port_; }
    // Frees the port for a server about to listen on it.
    void release();

private:
    int fd_ = -1;
    int port_ = 0;
};

}  // namespace pgentry::test
