#pragma once
// The database URL's one interpreter: parsed once by libpq, checked before any waiting, and the source of
// the target the logs name. It lives in db/ because it needs libpq, which only pgentry-migrator links:
// the static front (pgentry) reads the URL as text only (trims it, masks its password where it stands:
// conninfo/redact.hpp) and hands it over.
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>

namespace pgentry::db {

// A libpq connection, finished when it goes.
using OwnedConn = std::unique_ptr<PGconn, decltype(&PQfinish)>;

class DatabaseUrl {
public:
    // text: a libpq URI or key=value conninfo, leading and trailing whitespace ignored; empty: libpq's PG*
    // variables and defaults. Throws Error(64) with libpq's whole message when libpq rejects it: bad
    // syntax, an unknown key, a missing service, and the values libpq checks only when it connects
    // (sslmode=sometimes, port=abc, host and port counts that differ, hostaddr=db, keepalives_idle=abc:
    // db/socket_settings.hpp). Never connects: no socket is made and no host name is looked up. This is the
    // one place the URL's Error(64) is raised, before any waiting.
    // The message shows the URL's passwords masked where they stand (conninfo::redact_message); libpq
    // quotes no other password (PGPASSWORD, a .pgpass or service file's).
    static DatabaseUrl parse(std::string_view text);

    // What libpq would connect to, for log lines: "db:5432", "[::1]:5432", a Unix socket as libpq names it
    // ("/var/run/postgresql/.s.PGSQL.5432"), several hosts joined by ','. Resolved as libpq resolves it:
    // the URL, a pg_service.conf entry (service=, PGSERVICEFILE), PGHOST/PGHOSTADDR/PGPORT, the defaults.
    const std::string& target() const { return target_; }
    // The database name libpq would ask for (the URL's, a service's, PGDATABASE, else the user name).
    const std::string& database() const { return database_; }

    // The settings as written in the URL, parsed: keyword and value pairs for PQconnectStartParams.
    const std::vector<std::pair<std::string, std::string>>& settings() const { return settings_; }

    // Starts connecting (PQconnectStartParams) with settings() and then keyword = value, which overrides
    // the URL's own. Never null: libpq's out of memory throws std::bad_alloc.
    OwnedConn start_connecting(const char* keyword, const std::string& value) const;

private:
    std::vector<std::pair<std::string, std::string>> settings_;
    std::string target_;
    std::string database_;
};

}  // namespace pgentry::db
