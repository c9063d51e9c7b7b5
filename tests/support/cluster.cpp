#include "cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "database.hpp"
#include "migration_dir.hpp"
#include "process.hpp"

namespace pgentry::test {
namespace {

bool has_server_programs(const std::filesystem::path& dir) {
    return std::filesystem::exists(dir / "initdb") && std::filesystem::exists(dir / "pg_ctl");
}

// pg_virtualenv exports PG_CONFIG of the server it runs; otherwise the first PATH entry with both programs.
std::filesystem::path server_bindir() {
    if (const char* pg_config = std::getenv("PG_CONFIG")) {
        const auto dir = std::filesystem::path(pg_config).parent_path();
        if (has_server_programs(dir)) {
            return dir;
        }
    }
    std::istringstream path(std::getenv("PATH") != nullptr ? std::getenv("PATH") : "");
    for (std::string dir; std::getline(path, dir, ':');) {
        if (!dir.empty() && has_server_programs(dir)) {
            return dir;
        }
    }
    throw std::runtime_error("initdb and pg_ctl not found (set PG_CONFIG or PATH)");
}

// The server refuses to run as root, so root runs it as postgres.
std::vector<std::string> as_server_user(std::vector<std::string> argv) {
    if (::geteuid() == 0) {
        argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    }
    return argv;
}

// What the server (run as postgres by root) must own.
void hand_to_server_user(const std::filesystem::path& path) {
    if (::geteuid() != 0) {
        return;
    }
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr || ::chown(path.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
        throw std::runtime_error("cannot hand " + path.string() + " to user postgres");
    }
}

void run_checked(const std::vector<std::string>& argv) {
    const auto result = run(argv, {}, 60s);
    if (result.exit_code != 0) {
        std::ostringstream message;
        message << argv.at(0) << " failed: " << result;
        throw std::runtime_error(message.str());
    }
}

}  // namespace

PrivateCluster::PrivateCluster(int max_connections)
    : dir_(make_temp_dir("pgentry-cluster-")), bindir_(server_bindir()), max_connections_(max_connections) {
    hand_to_server_user(dir_);
    run_checked(as_server_user({(bindir_ / "initdb").string(), "--pgdata=" + (dir_ / "data").string(),
                                "--auth=trust", "--username=postgres", "--no-sync", "--no-instructions"}));
}

PrivateCluster::PrivateCluster(const Server& primary)
    : dir_(make_temp_dir("pgentry-standby-")), bindir_(server_bindir()) {
    hand_to_server_user(dir_);
    // The password reaches pg_basebackup through PGPASSWORD, which the test's environment has.
    run_checked(as_server_user({(bindir_ / "pg_basebackup").string(), "-R", "--checkpoint=fast", "--no-sync",
                                "-D", (dir_ / "data").string(), "-h", primary.host, "-p", primary.port, "-U",
                                primary.user}));
    // Debian keeps a cluster's configuration outside its data directory: the copy has none.
    // A hot standby needs at least the primary's max_connections.
    Connection settings("application_name=pgentry-tests connect_timeout=10");
    std::ofstream((dir_ / "data" / "postgresql.conf").string())
        << "max_connections = " << settings.scalar("SHOW max_connections").value_or("100") << "\n";
    standby_ = true;
    std::ofstream((dir_ / "data" / "pg_hba.conf").string()) << "host all all 127.0.0.1/32 trust\n";
    hand_to_server_user(dir_ / "data" / "postgresql.conf");
    hand_to_server_user(dir_ / "data" / "pg_hba.conf");
}

PrivateCluster::~PrivateCluster() {
    if (started_) {
        run(as_server_user({(bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate",
                            "-w", "stop"}),
            {}, 30s);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string PrivateCluster::url(const std::string& dbname) const {
    return make_url("127.0.0.1", std::to_string(port()), "postgres", "", dbname);
}

void PrivateCluster::pg_ctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{
        (bindir_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-w", "-t", "30"};
    argv.insert(argv.end(), args.begin(), args.end());
    run_checked(as_server_user(argv));
}

void PrivateCluster::start() {
    port_.release();
    started_ = true;
    pg_ctl({"-l", (dir_ / "server.log").string(), "-o",
            "-p " + std::to_string(port()) + " -k " + dir_.string() +
                " -c listen_addresses=127.0.0.1 -c fsync=off" +
                (standby_ ? "" : " -c max_connections=" + std::to_string(max_connections_)),
            "start"});
}

void PrivateCluster::stop() {
    pg_ctl({"-m", "immediate", "stop"});
    started_ = false;
}

void PrivateCluster::restart_fast() {
    pg_ctl({"-l", (dir_ / "server.log").string(), "-m", "fast", "restart"});
}

}  // namespace pgentry::test
