// pgentry-example-server: the application in pgentry's story, what the image runs under pgentry.
//
//   pgentry-example-server                serve on $PORT (default 8080) until SIGTERM or SIGINT
//   pgentry-example-server --healthcheck  exit 0 when the server on $PORT answers GET /healthz with 200
//
// GET /healthz is 200 when `SELECT 1` succeeds and 503 otherwise, so a Swarm rollout (start-first) only moves
// on once a new task reaches the database its pgentry migrated. GET / records a visit and lists the applied
// migrations. On SIGTERM/SIGINT it stops accepting, finishes the requests in flight and exits 0: pgentry
// passes that code on as the container's.
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include "database.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

namespace {

// A client that connects and sends nothing must not hold up a graceful stop for long.
constexpr auto request_deadline = 5s;
constexpr std::size_t max_request_bytes = 8192;
// Requests wait on libpq in these threads, so one slow query does not stall accepting or other clients.
constexpr std::size_t database_threads = 4;

void log_line(std::string_view level, const std::string& message) {
    std::clog << '[' << level << "] " << message << '\n';
}

struct Response {
    int status;
    std::string body;
    std::string problem;  // logged, not sent: database errors are for the operator
};

std::string_view reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    }
    return "Internal Server Error";
}

std::string serialize(const Response& response) {
    std::ostringstream out;
    out << "HTTP/1.1 " << response.status << ' ' << reason(response.status) << "\r\n"
        << "Content-Type: text/plain; charset=utf-8\r\n"
        << "Content-Length: " << response.body.size() << "\r\n"
        << "Connection: close\r\n\r\n"
        << response.body;
    return out.str();
}

std::string hostname() {
    char name[256] = {};
    gethostname(name, sizeof name - 1);
    return name;
}

std::string render(const example::FrontPage& page) {
    std::ostringstream out;
    out << "pgentry example server on " << hostname() << "\n"
        << "this was visit " << page.visit << " (a row in the visits table)\n\n"
        << "applied migrations (schema_migrations):\n";
    for (const auto& migration : page.migrations) {
        out << "  " << migration.version << "  " << migration.applied_at << "  "
            << (migration.name.empty() ? "(no file in this image)" : migration.name) << "\n";
    }
    return out.str();
}

// Runs on a database thread.
Response route(const example::Database& database, const std::string& method, const std::string& target) {
    if (method != "GET") {
        return {405, "only GET\n", ""};
    }
    const std::string path = target.substr(0, target.find('?'));
    try {
        if (path == "/healthz") {
            database.ping();
            return {200, "ok\n", ""};
        }
        if (path == "/") {
            return {200, render(database.record_visit(path)), ""};
        }
    } catch (const std::exception& failure) {
        return {503, "database unavailable\n", failure.what()};
    }
    return {404, "not found\n", ""};
}

// Every session and the accept loop run on the single io_context thread, so this needs no lock.
int in_flight = 0;

asio::awaitable<void> serve(tcp::socket socket, const example::Database& database,
                            asio::thread_pool& workers) {
    ++in_flight;
    std::string request;
    asio::steady_timer deadline(socket.get_executor(), request_deadline);
    const auto read =
        co_await (asio::async_read_until(socket, asio::dynamic_buffer(request, max_request_bytes), "\r\n\r\n",
                                         asio::as_tuple(asio::use_awaitable)) ||
                  deadline.async_wait(asio::use_awaitable));
    if (read.index() == 0 && !std::get<0>(std::get<0>(read))) {
        // The request line: METHOD SP TARGET SP VERSION.
        std::istringstream line(request.substr(0, request.find("\r\n")));
        std::string method, target;
        line >> method >> target;
        const Response response = co_await asio::co_spawn(
            workers, [&]() -> asio::awaitable<Response> { co_return route(database, method, target); },
            asio::use_awaitable);
        log_line("info", method + " " + target + " " + std::to_string(response.status) +
                             (response.problem.empty() ? "" : ": " + response.problem));
        const std::string bytes = serialize(response);
        co_await asio::async_write(socket, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_send, ignored);
    }
    --in_flight;
}

asio::awaitable<void> accept(tcp::acceptor& acceptor, const example::Database& database,
                             asio::thread_pool& workers) {
    while (acceptor.is_open()) {
        auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
        if (!error) {
            asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), database, workers),
                           asio::detached);
        } else if (error != asio::error::operation_aborted) {
            // Out of descriptors, say: back off instead of spinning on the same error.
            log_line("warn", "accept: " + error.message());
            asio::steady_timer pause(acceptor.get_executor(), 100ms);
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

int serve_until_signalled(unsigned short port) {
    const char* migrations_dir = std::getenv("PGENTRY_MIGRATIONS_DIR");
    const example::Database database(example::database_url_from_environment(),
                                     migrations_dir != nullptr ? migrations_dir : "migrations");
    asio::io_context io;
    asio::thread_pool workers(database_threads);
    tcp::acceptor acceptor(io, tcp::endpoint(tcp::v4(), port));
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error) {
            return;
        }
        const std::string name = signal == SIGTERM ? "SIGTERM" : "SIGINT";
        log_line("info",
                 name + ": no new connections, finishing " + std::to_string(in_flight) + " in flight");
        acceptor.close();
    });
    asio::co_spawn(io, accept(acceptor, database, workers), asio::detached);
    log_line("info", "listening on http://0.0.0.0:" + std::to_string(port) + "/");
    io.run();  // returns once the acceptor is closed and the last session has ended
    workers.join();
    log_line("info", "stopped");
    return 0;
}

asio::awaitable<void> probe(unsigned short port, bool& healthy) {
    tcp::socket socket(co_await asio::this_coro::executor);
    co_await socket.async_connect({asio::ip::address_v4::loopback(), port}, asio::use_awaitable);
    constexpr std::string_view request =
        "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(socket, asio::buffer(request), asio::use_awaitable);
    std::string status_line;
    co_await asio::async_read_until(socket, asio::dynamic_buffer(status_line), "\r\n", asio::use_awaitable);
    healthy = status_line.starts_with("HTTP/1.1 200 ");
}

// For HEALTHCHECK: bookworm-slim has no curl, and this binary is already in the image.
int healthcheck(unsigned short port) {
    asio::io_context io;
    bool healthy = false;
    asio::co_spawn(io, probe(port, healthy), asio::detached);
    io.run_for(3s);
    return healthy ? 0 : 1;
}

bool parse_port(const char* text, unsigned short& port) {
    const std::string_view value(text);
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), port);
    return error == std::errc{} && end == value.data() + value.size() && port != 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view mode = argc > 1 ? argv[1] : "";
    if (argc > 2 || (argc == 2 && mode != "--healthcheck")) {
        std::cerr
            << "usage: pgentry-example-server [--healthcheck]\n"
               "  environment: PORT (8080), DATABASE_URL or DATABASE_URL_FILE, else libpq's PG* variables\n";
        return 64;
    }
    const char* port_text = std::getenv("PORT");
    unsigned short port = 8080;
    if (port_text != nullptr && !parse_port(port_text, port)) {
        std::cerr << "PORT: '" << port_text << "' is not a port number\n";
        return 64;
    }
    if (mode == "--healthcheck") {
        return healthcheck(port);
    }
    try {
        return serve_until_signalled(port);
    } catch (const std::exception& failure) {
        log_line("error", failure.what());
        return 1;
    }
}
