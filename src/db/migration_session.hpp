#pragma once
// The session that applies the migrations (the worker), with pgentry's session policy (SPEC "The
// migrations table and the lock", issue 8 item 4). What pgentry needs from it: PostgreSQL 14+ aborts a
// running statement within a second of this client dying (client_connection_check_interval = 1 s) instead
// of finishing it with the lock held; no idle timeout of the server's or the role's ends it half-way
// through the migrations; and --statement-timeout, when given, bounds migration statements (otherwise the
// server's setting stays). None of it may outlive pgentry's use of a server connection: behind PgBouncer
// in transaction pooling, the application is the next client of that server connection. So:
// - inside a transaction it is SET LOCAL right after BEGIN, and ends with the transaction;
// - outside one (the idle worker, transaction:false sections) it is a session SET only on a session of
//   pgentry's own (no pooler in between), which ends when pgentry closes it. Through a pooler nothing is
//   set there: each autocommit statement may run on another server connection, so a SET and its RESET
//   may land on different ones and the SET would stay; and an idle client of a pooler holds no server
//   session that an idle timeout could end. A transaction:false section through a pooler therefore runs
//   without the connection check and without --statement-timeout.
#include <chrono>
#include <optional>

#include "db/connection.hpp"
#include "db/transaction.hpp"

namespace pgentry::db {

class MigrationSession {
public:
    explicit MigrationSession(Connection connection) : connection_(std::move(connection)) {}

    Connection& connection() { return connection_; }

    // BEGIN and, in the same round trip, the SET LOCALs above; statement_timeout nullopt: the server's.
    Transaction begin(std::optional<std::chrono::milliseconds> statement_timeout);
    // Outside a transaction, on a session of pgentry's own: the session SETs above. Returns false (and
    // sets nothing) through a pooler.
    bool pin(std::optional<std::chrono::milliseconds> statement_timeout);
    // Undoes what a migration changed with SET, SET ROLE, SET SESSION AUTHORIZATION or set_config
    // (RESET ALL keeps the role's and database's defaults), then pins again what pgentry needs: inside a
    // transaction it commits or rolls back with it, so through a pooler too the next client of the server
    // connection never sees the migration's settings. One round trip.
    void restore();
    // Whether a proxy (PgBouncer, ...) sits between pgentry and the server: the backend pid the server
    // reports differs from the one of the handshake. Asked once, on first use.
    bool through_pooler();

private:
    Connection connection_;
    std::optional<bool> through_pooler_;
};

}  // namespace pgentry::db
