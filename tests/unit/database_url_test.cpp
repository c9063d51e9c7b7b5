#include "db/database_url.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace {

using pgentry::db::DatabaseUrl;

// Sets libpq's variables for one test and restores them after it: each test starts from none of them.
class LibpqEnvironment {
public:
    LibpqEnvironment() {
        for (const char* name : {"PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
                                 "PGSERVICE", "PGSERVICEFILE", "PGSSLMODE", "PGCONNECT_TIMEOUT"}) {
            if (const char* value = std::getenv(name)) {
                saved_[name] = value;
            }
            ::unsetenv(name);
        }
    }
    ~LibpqEnvironment() {
        for (const auto& [name, value] : saved_) {
            ::setenv(name.c_str(), value.c_str(), 1);
        }
    }
    LibpqEnvironment(const LibpqEnvironment&) = delete;
    LibpqEnvironment& operator=(const LibpqEnvironment&) = delete;
    void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }

private:
    std::map<std::string, std::string> saved_;
};

// The usage error that parse must throw.
std::string rejection(const std::string& url) {
    try {
        DatabaseUrl::parse(url);
    } catch (const pgentry::Error& error) {
        EXPECT_EQ(error.code(), pgentry::exit_code::usage) << error.what();
        return error.what();
    }
    ADD_FAILURE() << "accepted: " << url;
    return "";
}

// A TCP port on 127.0.0.1 that accepts connections, to see whether anything connected.
class Listener {
public:
    Listener() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof address;
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), size), 0);
        EXPECT_EQ(::listen(fd_, 16), 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
        port_ = ntohs(address.sin_port);
    }
    ~Listener() { ::close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    int port() const { return port_; }
    // Whether a connection is waiting: connect() on loopback completes the handshake before it returns.
    bool connected() const {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client >= 0) {
            ::close(client);
        }
        return client >= 0;
    }

private:
    int fd_;
    int port_ = 0;
};

TEST(DatabaseUrl, IgnoresSurroundingWhitespace) {
    const LibpqEnvironment env;
    const DatabaseUrl url = DatabaseUrl::parse(" \tpostgres://app@db:6000/app?sslmode=disable\n");
    EXPECT_EQ(url.target(), "db:6000");
    EXPECT_EQ(url.database(), "app");
}

TEST(DatabaseUrl, RejectsWhatLibpqRejectsWithItsWholeMessage) {
    const LibpqEnvironment env;
    const struct {
        std::string url;
        std::string message;
    } cases[] = {
        {"postgres://app:hunter2@db/app?sslmode=sometimes",
         "invalid database URL: invalid sslmode value: \"sometimes\""},
        {"host=db port=abc password=hunter2",
         "invalid database URL: invalid integer value \"abc\" for connection option \"port\""},
        {"host=db port=70000", "invalid database URL: invalid port number: \"70000\""},
        {"host=a,b port=5432,abc",
         "invalid database URL: invalid integer value \"abc\" for connection option \"port\""},
        {"host=a,b,c port=1,2", "invalid database URL: could not match 2 port numbers to 3 hosts"},
        {"host=db sslmod=require password=hunter2",
         "invalid database URL: invalid connection option \"sslmod\""},
        {"postgres://app:hunter2%zz@db/app", "invalid database URL: invalid percent-encoded token: \"****\""},
        {"postgresql://app:hunter2@[::1/app",
         "invalid database URL: end of string reached when looking for matching \"]\" in IPv6 host address "
         "in "
         "URI: \"postgresql://app:****@[::1/app\""},
        {"service=nowhere", "invalid database URL: definition of service \"nowhere\" not found"},
        // The newline of an echo-made secret inside the URL, where trimming cannot reach it.
        {"postgres://db/app?sslmode=disable\n&connect_timeout=5",
         "invalid database URL: invalid sslmode value: \"disable\n\""},
        // A password that spells the value libpq quotes: masked there, as it stands in the URL.
        {"host=db port=abc password=abc",
         "invalid database URL: invalid integer value \"****\" for connection option \"port\""},
        // A one-letter password does not garble libpq's words.
        {"host=db port=abc password=p",
         "invalid database URL: invalid integer value \"abc\" for connection option \"port\""},
        // What libpq reads only once it holds a TCP socket, or only in PQconnectdb (psql's refusals).
        {"postgres://app:hunter2@db/app?keepalives_idle=abc",
         "invalid database URL: invalid integer value \"abc\" for connection option \"keepalives_idle\""},
        {"host=db keepalives=x",
         "invalid database URL: invalid integer value \"x\" for connection option \"keepalives\""},
        {"host=db keepalives_interval=5x",
         "invalid database URL: invalid integer value \"5x\" for connection option \"keepalives_interval\""},
        {"host=db keepalives_count=99999999999",
         "invalid database URL: invalid integer value \"99999999999\" for connection option "
         "\"keepalives_count\""},
        {"host=db tcp_user_timeout=soon",
         "invalid database URL: invalid integer value \"soon\" for connection option \"tcp_user_timeout\""},
        {"host=db connect_timeout=1.5",
         "invalid database URL: invalid integer value \"1.5\" for connection option \"connect_timeout\""},
        {"host=/run/postgresql connect_timeout=abc",
         "invalid database URL: invalid integer value \"abc\" for connection option \"connect_timeout\""},
        {"host=db hostaddr=not.an.ip",
         "invalid database URL: could not parse network address \"not.an.ip\": Name or service not known"},
        {"host=a,b hostaddr=10.0.0.1,10.0.0.300",
         "invalid database URL: could not parse network address \"10.0.0.300\": Name or service not known"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(rejection(c.url), c.message) << c.url;
    }
}

// libpq 15 as psql shows it: blanks around an integer, a sign, keepalives=0 (the other four unread), a Unix
// socket (none of the five read), an empty hostaddr entry (the host name is used); an empty value is no value
// in PQconnectStartParams, which pgentry connects with.
TEST(DatabaseUrl, AcceptsWhatLibpqAcceptsWhenItConnects) {
    const LibpqEnvironment env;
    for (const std::string url :
         {"host=db keepalives_idle=' 5 '", "host=db connect_timeout=-5",
          "host=db keepalives=2 tcp_user_timeout=+0",
          "host=db keepalives=0 keepalives_idle=abc tcp_user_timeout=x",
          "host=db keepalives_idle=", "host=/run/postgresql keepalives_idle=abc", "host=a,b hostaddr=,::1",
          "postgres://db/app?keepalives_count=3&keepalives_interval=10"}) {
        EXPECT_NO_THROW(DatabaseUrl::parse(url)) << url;
    }
}

TEST(DatabaseUrl, RejectsBadLibpqVariables) {
    LibpqEnvironment env;
    env.set("PGSSLMODE", "sometimes");
    EXPECT_EQ(rejection(""),
              "invalid connection settings (libpq's PG* variables): invalid sslmode value: "
              "\"sometimes\"");
    env.set("PGSSLMODE", "disable");
    env.set("PGCONNECT_TIMEOUT", "soon");
    EXPECT_EQ(
        rejection("host=db"),
        "invalid database URL: invalid integer value \"soon\" for connection option \"connect_timeout\"");
    ::unsetenv("PGCONNECT_TIMEOUT");
    env.set("PGPORT", "abc");
    EXPECT_EQ(rejection("host=db"),
              "invalid database URL: invalid integer value \"abc\" for connection option "
              "\"port\"");
}

TEST(DatabaseUrl, ChecksWithoutConnecting) {
    const LibpqEnvironment env;
    const Listener listener;
    const std::string host = "host=127.0.0.1 port=" + std::to_string(listener.port());
    EXPECT_EQ(DatabaseUrl::parse(host + " dbname=app").target(),
              "127.0.0.1:" + std::to_string(listener.port()));
    rejection(host + " sslmode=sometimes");
    rejection(host + " target_session_attrs=whatever");
    rejection(host + ",127.0.0.1 port=" + std::to_string(listener.port()) + ",abc");
    rejection(host + " keepalives_idle=abc");
    rejection(host + " hostaddr=127.0.0.1,not.an.ip");
    EXPECT_FALSE(listener.connected());
}

TEST(DatabaseUrl, TargetIsWhatLibpqWouldConnectTo) {
    LibpqEnvironment env;
    EXPECT_EQ(DatabaseUrl::parse("postgres://[::1]:6000/app").target(), "[::1]:6000");
    EXPECT_EQ(DatabaseUrl::parse("host=::1").target(), "[::1]:5432");
    EXPECT_EQ(DatabaseUrl::parse("postgres://a:1,b:2/app").target(), "a:1,b:2");
    EXPECT_EQ(DatabaseUrl::parse("host=a,b port=7000").target(), "a:7000,b:7000");
    EXPECT_EQ(DatabaseUrl::parse("host=db hostaddr=10.0.0.1").target(), "db:5432");
    EXPECT_EQ(DatabaseUrl::parse("hostaddr=10.0.0.1").target(), "10.0.0.1:5432");
    EXPECT_EQ(DatabaseUrl::parse("host=/run/pg port=6000").target(), "/run/pg/.s.PGSQL.6000");
    // No host: libpq's default, a socket directory (or localhost where libpq was built without one).
    const std::string fallback = DatabaseUrl::parse("").target();
    EXPECT_TRUE(fallback.ends_with("/.s.PGSQL.5432") || fallback == "localhost:5432") << fallback;

    env.set("PGHOST", "envhost");
    env.set("PGPORT", "7777");
    env.set("PGDATABASE", "envdb");
    EXPECT_EQ(DatabaseUrl::parse("").target(), "envhost:7777");
    EXPECT_EQ(DatabaseUrl::parse("").database(), "envdb");
    EXPECT_EQ(DatabaseUrl::parse("postgres://urlhost/app").target(), "urlhost:7777");
    EXPECT_EQ(DatabaseUrl::parse("postgres://urlhost/app").database(), "app");
}

TEST(DatabaseUrl, TargetOfAServiceFileEntry) {
    LibpqEnvironment env;
    const auto file =
        std::filesystem::temp_directory_path() / ("pgentry-service-" + std::to_string(::getpid()));
    std::ofstream(file) << "[downdb]\nhost=127.0.0.2\nport=6543\ndbname=down\npassword=from-service\n";
    env.set("PGSERVICEFILE", file.string());
    const DatabaseUrl url = DatabaseUrl::parse("service=downdb");
    EXPECT_EQ(url.target(), "127.0.0.2:6543");
    EXPECT_EQ(url.database(), "down");
    EXPECT_EQ(DatabaseUrl::parse("postgres:///app?service=downdb").target(), "127.0.0.2:6543");
    env.set("PGSERVICE", "downdb");
    EXPECT_EQ(DatabaseUrl::parse("").target(), "127.0.0.2:6543");
    std::filesystem::remove(file);
}

TEST(DatabaseUrl, KeepsTheSettingsAsParsed) {
    const LibpqEnvironment env;
    const DatabaseUrl url = DatabaseUrl::parse("postgres://app:p%40ss@db:6000/app?sslmode=require");
    const auto& settings = url.settings();
    const auto value = [&](const std::string& key) -> std::optional<std::string> {
        for (const auto& [k, v] : settings) {
            if (k == key) {
                return v;
            }
        }
        return std::nullopt;
    };
    EXPECT_EQ(value("password"), "p@ss");
    EXPECT_EQ(value("host"), "db");
    EXPECT_EQ(value("port"), "6000");
    EXPECT_EQ(value("dbname"), "app");
    EXPECT_EQ(value("sslmode"), "require");
    EXPECT_EQ(value("hostaddr"), std::nullopt);
}

}  // namespace
