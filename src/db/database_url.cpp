#include "db/database_url.hpp"

#include <memory>
#include <optional>
#include <sstream>

#include <libpq-fe.h>

#include "common/error.hpp"
#include "conninfo/redact.hpp"
#include "db/socket_settings.hpp"

namespace pgentry::db {
namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// libpq checks some values only when it connects (connectOptions2 and the first PQconnectPoll: sslmode,
// port, the host and port counts). The dry runs below get those checks without a connection: an option
// libpq rejects at the very end of its checks (channel_binding), or a host address that cannot be parsed
// (hostaddr: no name is looked up and no socket is made). Its messages are the dry run's own: they quote
// this value, which no host, address or option can spell.
constexpr const char* dry_run = "(pgentry dry run)";

// libpq's message may quote the URL or a piece of it (a percent-encoded token, a value): those pieces are
// masked where they stand in the URL's password. Nothing else needs it: a password is not a host, port or
// option name, and libpq names only those.
[[noreturn]] void reject(const std::string& text, const std::string& message) {
    const char* what =
        text.empty() ? "invalid connection settings (libpq's PG* variables): " : "invalid database URL: ";
    throw Error(exit_code::usage, what + conninfo::redact_message(conninfo::trim(message), text));
}

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> items;
    std::istringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        items.push_back(item);
    }
    if (list.ends_with(',')) {
        items.emplace_back();
    }
    return items;
}

// The values libpq resolved for a connection: the URL's, a service file's, PG* variables, defaults.
class Resolved {
public:
    explicit Resolved(PGconn* conn) : conn_(conn), options_(PQconninfo(conn), &PQconninfoFree) {
        if (!options_) {
            throw std::bad_alloc();
        }
    }
    std::string operator[](std::string_view keyword) const { return value(keyword).value_or(""); }
    // nullopt when the setting is not set at all (an empty value is set).
    std::optional<std::string> value(std::string_view keyword) const {
        for (const PQconninfoOption* option = options_.get(); option->keyword; ++option) {
            if (keyword == option->keyword && option->val) {
                return option->val;
            }
        }
        return std::nullopt;
    }
    // As libpq counts the hosts it will try (connectOptions2): hostaddr's, else host's, else one.
    std::size_t host_count() const {
        const std::string hostaddr = (*this)["hostaddr"];
        const std::string host = (*this)["host"];
        return !hostaddr.empty() ? split(hostaddr).size() : !host.empty() ? split(host).size() : 1;
    }
    // Whether some host is reached over TCP: a host address, or a host name that is not a socket directory.
    bool reaches_over_tcp() const {
        const std::vector<std::string> addresses = split((*this)["hostaddr"]);
        for (std::size_t i = 0; i < host_count(); ++i) {
            if ((i < addresses.size() && !addresses[i].empty()) || !is_socket(host_name(i))) {
                return true;
            }
        }
        return false;
    }
    // "host:port" per host, as libpq names them in its own messages.
    std::string target() const {
        const std::vector<std::string> addresses = split((*this)["hostaddr"]);
        const std::vector<std::string> ports = split((*this)["port"]);
        std::string target;
        for (std::size_t i = 0; i < host_count(); ++i) {
            std::string host = host_name(i);
            if (host.empty() && i < addresses.size()) {
                host = addresses[i];
            }
            // libpq's default (a socket directory, or localhost) stands in the first host's slot.
            if (host.empty()) {
                host = i == 0 ? PQhost(conn_) : "(default host)";
            }
            std::string port = ports.size() == 1 ? ports[0] : i < ports.size() ? ports[i] : "";
            if (port.empty()) {
                port = PQport(conn_);
            }
            // Appended piece by piece: GCC 12 warns falsely (-Wrestrict at -O3) on "," + std::string.
            if (!target.empty()) {
                target += ',';
            }
            target += endpoint(host, port);
        }
        return target;
    }

private:
    // The i-th host name as written, or libpq's default for the first when none is.
    std::string host_name(std::size_t i) const {
        const std::vector<std::string> hosts = split((*this)["host"]);
        const std::string host = i < hosts.size() ? hosts[i] : "";
        return host.empty() && i == 0 && (*this)["hostaddr"].empty() ? PQhost(conn_) : host;
    }
    // A socket directory, or an abstract socket's name.
    static bool is_socket(const std::string& host) { return host.starts_with('/') || host.starts_with('@'); }
    static std::string endpoint(const std::string& host, const std::string& port) {
        if (is_socket(host)) {
            return host + "/.s.PGSQL." + port;
        }
        if (host.find(':') != std::string::npos) {
            return "[" + host + "]:" + port;
        }
        return host + ":" + port;
    }

    PGconn* conn_;
    Options options_;
};

}  // namespace

DatabaseUrl DatabaseUrl::parse(std::string_view raw) {
    const std::string text = conninfo::trim(raw);
    char* error = nullptr;
    const Options parsed(PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
    if (!parsed) {
        const std::string message = error ? error : "out of memory";
        PQfreemem(error);
        reject(text, message);
    }
    DatabaseUrl url;
    for (const PQconninfoOption* option = parsed.get(); option->keyword; ++option) {
        if (option->val) {
            url.settings_.emplace_back(option->keyword, option->val);
        }
    }

    // Everything libpq checks before channel_binding, and the values it resolves (service, PG*, defaults).
    const OwnedConn first = url.start_connecting("channel_binding", dry_run);
    if (std::string message = PQerrorMessage(first.get()); message.find(dry_run) == std::string::npos) {
        reject(text, message);
    }
    const Resolved resolved(first.get());

    // The rest, channel_binding and every port included: each host's attempt fails on its address.
    std::string addresses = dry_run;
    for (std::size_t i = 1; i < resolved.host_count(); ++i) {
        addresses.append(",").append(dry_run);
    }
    const OwnedConn second = url.start_connecting("hostaddr", addresses);
    std::istringstream lines(PQerrorMessage(second.get()));
    std::string rejected;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(dry_run) == std::string::npos) {
            rejected += line + "\n";
        }
    }
    if (!conninfo::trim(rejected).empty()) {
        reject(text, rejected);
    }

    // What libpq checks only once it connects, which the dry runs never do (db/socket_settings.hpp).
    const std::string refused = refused_connect_setting(
        [&](std::string_view keyword) { return resolved.value(keyword); }, resolved.reaches_over_tcp());
    if (!refused.empty()) {
        reject(text, refused);
    }

    url.target_ = resolved.target();
    url.database_ = resolved["dbname"];
    return url;
}

OwnedConn DatabaseUrl::start_connecting(const char* keyword, const std::string& value) const {
    std::vector<const char*> keys, values;
    for (const auto& [key, setting] : settings_) {
        keys.push_back(key.c_str());
        values.push_back(setting.c_str());
    }
    keys.push_back(keyword);  // a later keyword overrides an earlier one
    values.push_back(value.c_str());
    keys.push_back(nullptr);
    values.push_back(nullptr);
    OwnedConn conn(PQconnectStartParams(keys.data(), values.data(), 0), &PQfinish);
    if (!conn) {
        throw std::bad_alloc();
    }
    return conn;
}

}  // namespace pgentry::db
