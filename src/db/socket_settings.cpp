#include "db/socket_settings.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <sstream>

#include <fmt/format.h>

namespace pgentry::db {
namespace {

// The integer rule libpq applies to these options: strtol's (leading blanks, a sign, decimal digits),
// within int, then nothing but blanks.
std::optional<int> as_int(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const long number = std::strtol(text.c_str(), &end, 10);
    if (end == text.c_str() || errno != 0 || number < INT_MIN || number > INT_MAX) {
        return std::nullopt;
    }
    while (*end != '\0' && std::isspace(static_cast<unsigned char>(*end))) {
        ++end;
    }
    if (*end != '\0') {
        return std::nullopt;
    }
    return static_cast<int>(number);
}

std::string not_an_int(const std::string& text, std::string_view keyword) {
    return fmt::format(R"(invalid integer value "{}" for connection option "{}")", text, keyword);
}

// hostaddr holds numeric addresses only: no name is looked up (AI_NUMERICHOST), as libpq parses it.
std::string refused_address(const std::string& list) {
    std::istringstream items(list);
    for (std::string address; std::getline(items, address, ',');) {
        if (address.empty()) {
            continue;  // this host's name is used instead
        }
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICHOST;
        addrinfo* found = nullptr;
        if (const int failure = ::getaddrinfo(address.c_str(), nullptr, &hints, &found); failure != 0) {
            return fmt::format("could not parse network address \"{}\": {}", address,
                               ::gai_strerror(failure));
        }
        ::freeaddrinfo(found);
    }
    return {};
}

}  // namespace

std::string refused_connect_setting(const SettingValue& value, bool over_tcp) {
    if (const auto timeout = value("connect_timeout"); timeout && !as_int(*timeout)) {
        return not_an_int(*timeout, "connect_timeout");
    }
    if (const auto addresses = value("hostaddr")) {
        if (std::string refused = refused_address(*addresses); !refused.empty()) {
            return refused;
        }
    }
    if (!over_tcp) {
        return {};
    }
    if (const auto keepalives = value("keepalives")) {
        const std::optional<int> on = as_int(*keepalives);
        if (!on) {
            return not_an_int(*keepalives, "keepalives");
        }
        if (*on == 0) {
            return {};  // libpq reads neither the keepalive settings nor tcp_user_timeout then
        }
    }
    for (const std::string_view keyword :
         {"keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"}) {
        if (const auto setting = value(keyword); setting && !as_int(*setting)) {
            return not_an_int(*setting, keyword);
        }
    }
    return {};
}

}  // namespace pgentry::db
