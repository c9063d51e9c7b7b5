#include "pgbouncer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <stdexcept>

#include "cluster.hpp"
#include "migration_dir.hpp"

namespace pgentry::test {
namespace {

bool accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

// The auth_file format: "user" "password", with double quotes doubled.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

}  // namespace

PgBouncer::PgBouncer(const Server& server, PoolerSettings settings)
    : server_(server), dir_(make_temp_dir("pgentry-pgbouncer-")) {
    // pg_virtualenv's host may be a socket directory; pgbouncer takes that as host too.
    const std::string server_host = server.host.empty() ? "localhost" : server.host;
    {
        std::ofstream auth(dir_ / "users.txt");
        auth << quoted(server.user) << " " << quoted(server.password) << "\n";
    }
    ClosedPort reserved;
    port_ = reserved.port();
    {
        std::ofstream ini(dir_ / "pgbouncer.ini");
        ini << "[databases]\n* = host=" << server_host << " port=" << server.port << "\n"
            << "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = " << port_ << "\nunix_socket_dir =\n"
            << "auth_type = " << settings.auth_type << "\nauth_file = " << (dir_ / "users.txt").string()
            << "\n"
            << "pool_mode = " << settings.pool_mode << "\ndefault_pool_size = " << settings.pool_size << "\n"
            << "max_client_conn = 500\nignore_startup_parameters = extra_float_digits\n";
        if (::geteuid() == 0) {
            ini << "user = postgres\n";
        }
        for (const auto& [name, value] : settings.extra) {
            ini << name << " = " << value << "\n";
        }
    }
    if (::geteuid() == 0) {
        // pgbouncer reads its files again after dropping to postgres (on reload).
        const passwd* postgres = ::getpwnam("postgres");
        for (const auto& path : {dir_, dir_ / "users.txt", dir_ / "pgbouncer.ini"}) {
            if (postgres == nullptr || ::chown(path.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
                throw std::runtime_error("cannot hand " + path.string() + " to user postgres");
            }
        }
    }
    reserved.release();
    process_ =
        std::make_unique<Process>(std::vector<std::string>{"pgbouncer", (dir_ / "pgbouncer.ini").string()});
    if (!eventually([&] { return accepts(port_) || process_->wait_for(Clock::now()).has_value(); }, 10s) ||
        !accepts(port_)) {
        throw std::runtime_error("pgbouncer did not start: " + process_->err() + process_->out());
    }
}

PgBouncer::~PgBouncer() {
    if (process_) {
        process_->signal(SIGTERM);
        process_->wait_for(Clock::now() + 10s);
        process_.reset();  // SIGKILLs it if it is still running
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string PgBouncer::url(const std::string& dbname) const {
    return make_url("127.0.0.1", std::to_string(port_), server_.user, server_.password, dbname);
}

std::string PgBouncer::conninfo(const std::string& dbname, const std::string& application_name) const {
    std::string info = "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + dbname + " user='" +
                       server_.user + "' password='" + server_.password + "'";
    if (!application_name.empty()) {
        info += " application_name=" + application_name;
    }
    return info;
}

std::string PgBouncer::log() const {
    return process_ ? process_->err() + process_->out() : "";
}

}  // namespace pgentry::test
