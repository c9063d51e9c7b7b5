#pragma once
// What a failed connection attempt means: libpq's verbose message (PQERRORS_VERBOSE) taken apart, and
// whether waiting can fix it (SPEC.md, exit codes 69 and 77). Pure text in, no libpq: unit-tested over
// messages captured from libpq 15 against PostgreSQL 15 and PgBouncer 1.18
// (tests/unit/connect_message_test.cpp).
#include <string>
#include <string_view>

namespace pgentry::db {

enum class ConnectFailure {
    retry,            // refused, unresolvable, starting up, too many connections: waiting may fix it
    credentials,      // the password or role was refused: exit 77 at once
    // TLS/certificate errors, a startup parameter the server or pooler refuses, a setting libpq refuses
    // (DatabaseUrl::parse checks those before waiting; one slipping through is not fixed by waiting): 69 at once
    not_retried,
};

struct ConnectMessage {
    std::string sqlstate;  // the server's, empty when none was sent (refused, TLS, host name)
    // The primary message (first letter lower-cased like pgentry's own), then the server's DETAIL and
    // HINT and libpq's remarks ("password retrieved from file ..."), joined by "; ". LOCATION lines and
    // libpq's tab-indented advice are dropped. With several hosts, the last one's failure.
    std::string text;
};

// libpq's PQerrorMessage after a failed connect, e.g.
//   connection to server at "127.0.0.1", port 5432 failed: FATAL:  28P01: password authentication failed ...
//   LOCATION:  auth_failed, auth.c:334
//   password retrieved from file "/run/secrets/pgpass"
ConnectMessage parse_connect_message(std::string_view message);

// needs_password: PQconnectionNeedsPassword (the server asked for one and none was given).
ConnectFailure classify(const ConnectMessage& message, bool needs_password);

}  // namespace pgentry::db
