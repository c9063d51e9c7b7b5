#pragma once
// A TCP server that is not PostgreSQL: what libpq meets when a URL names the wrong port or service.
#include <array>
#include <thread>

namespace pgentry::test {

// Listens on 127.0.0.1 (a free port) and treats every client the same way until destruction.
class NotPostgres {
public:
    enum class Behaviour {
        garbage,  // answers whatever arrives with an HTTP error, then closes
        closes,   // closes each connection at once
        silent,   // accepts and never says a word
        // closes the first connection at once, then is silent: an attempt fails with a reason, and the
        // attempts after it last until the deadline cuts them short
        closes_then_silent,
    };

    explicit NotPostgres(Behaviour behaviour);
    ~NotPostgres();
    NotPostgres(const NotPostgres&) = delete;
    NotPostgres& operator=(const NotPostgres&) = delete;

    int port() const { return port_; }

private:
    void serve();

    Behaviour behaviour_;
    int listener_ = -1;
    std::array<int, 2> stop_{-1, -1};
    int port_ = 0;
    std::thread thread_;
};

}  // namespace pgentry::test
