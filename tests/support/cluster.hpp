#pragma once
// A private PostgreSQL cluster a test controls on its own: started late or restarted without disturbing the
// tests sharing pg_virtualenv's server.
#include <filesystem>
#include <string>
#include <vector>

#include "closed_port.hpp"
#include "database.hpp"

namespace pgentry::test {

// initdb'd at construction (trust authentication, listening on 127.0.0.1 only once started), stopped
// with -m immediate and deleted at destruction. As root, the server programs run as user postgres.
class PrivateCluster {
public:
    // max_connections: the server's setting; superuser_reserved_connections (3) of them are the
    // superuser's only.
    explicit PrivateCluster(int max_connections = 20);
    // A hot standby of primary instead: cloned with pg_basebackup -R (streaming from primary, so every
    // database the primary has now), with a trust pg_hba.conf of its own. Call start() to run it.
    explicit PrivateCluster(const Server& primary);
    ~PrivateCluster();
    PrivateCluster(const PrivateCluster&) = delete;
    PrivateCluster& operator=(const PrivateCluster&) = delete;

    int port() const { return port_.port(); }
    std::string url(const std::string& dbname = "postgres") const;

    // Each returns once pg_ctl -w saw the server accept connections (or stop); throws on failure.
    void start();
    void restart_fast();  // pg_ctl restart -m fast: active sessions are terminated
    // pg_ctl stop -m immediate (a crash): start() then runs recovery first, refusing connections with
    // 57P03 "the database system is starting up" meanwhile.
    void stop();

private:
    void pg_ctl(const std::vector<std::string>& args);

    std::filesystem::path dir_;
    std::filesystem::path bindir_;
    ClosedPort port_;
    int max_connections_ = 20;
    bool started_ = false;
    bool standby_ = false;
};

}  // namespace pgentry::test
