#pragma once
// The connection settings libpq checks only while it connects: the TCP socket options (keepalives,
// keepalives_idle, keepalives_interval, keepalives_count, tcp_user_timeout: read once it holds a TCP socket),
// hostaddr (parsed when its host's turn comes) and connect_timeout (read by the blocking PQconnectdb only,
// which psql uses and pgentry does not). DatabaseUrl::parse makes no socket, so it checks them here, with
// libpq's words, and refuses a bad one before any waiting (SPEC.md "Command line": 64), as it does sslmode.
// No libpq here. The rules are libpq 15's, as psql shows them: an integer is an optional sign and decimal
// digits that fit an int, blanks allowed around them ("1.5", "", "5x" are refused); keepalives=0 leaves the
// other four unread; a Unix-domain socket reads none of the five.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pgentry::db {

// value(keyword): the setting as libpq resolved it (URL, service file, PG* variables), nullopt when unset.
// over_tcp: some host of the URL is reached over TCP, not through a Unix-domain socket.
// Returns libpq's message for the first setting it would refuse, e.g.
//   invalid integer value "abc" for connection option "keepalives_idle"
//   could not parse network address "db.example": Name or service not known
// or "" when it would refuse none.
using SettingValue = std::function<std::optional<std::string>(std::string_view keyword)>;
std::string refused_connect_setting(const SettingValue& value, bool over_tcp);

}  // namespace pgentry::db
