#pragma once
// A real PgBouncer (Debian's pgbouncer) in front of pg_virtualenv's server, for the tests of pooled
// connections: started on a free 127.0.0.1 port with a generated ini, stopped at destruction.
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "database.hpp"
#include "process.hpp"

namespace pgentry::test {

struct PoolerSettings {
    std::string pool_mode = "transaction";  // transaction | session | statement
    int pool_size = 2;                      // default_pool_size: server connections per database and user
    // More [pgbouncer] settings (query_wait_timeout, server_reset_query, ...), written as given.
    std::map<std::string, std::string> extra;
    std::string auth_type = "md5";  // how clients log in: md5 | scram-sha-256 (refusals say "SASL")
};

// Every database of the server through one pooler. Clients authenticate (settings.auth_type) against an
// auth_file holding the server user's password; pgbouncer logs in to the server with the same credentials. As
// root, pgbouncer drops to user postgres (it refuses to run as root). The constructor returns once it
// accepts connections; throws std::runtime_error with its output when it does not within 10 s.
class PgBouncer {
public:
    explicit PgBouncer(const Server& server, PoolerSettings settings = {});
    ~PgBouncer();
    PgBouncer(const PgBouncer&) = delete;
    PgBouncer& operator=(const PgBouncer&) = delete;

    int port() const { return port_; }
    // A postgresql:// URI of dbname through the pooler, with the server's user and password.
    std::string url(const std::string& dbname) const;
    // libpq conninfo of dbname through the pooler, for test sessions.
    std::string conninfo(const std::string& dbname, const std::string& application_name = "") const;
    // What pgbouncer printed so far, for failure messages.
    std::string log() const;

private:
    Server server_;
    std::filesystem::path dir_;
    int port_ = 0;
    std::unique_ptr<Process> process_;
};

}  // namespace pgentry::test
