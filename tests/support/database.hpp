#pragma once
// Test-side PostgreSQL access: throw-away databases, queries, and holding the migration lock like another
// pgentry (or an Ecto release) would. The server is found through libpq's PG* variables (pg_virtualenv).
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

namespace pgentry::test {

using Value = std::optional<std::string>;  // nullopt is SQL NULL
using Row = std::vector<Value>;

// One libpq session. Every failure throws std::runtime_error with the server's message.
class Connection {
public:
    explicit Connection(const std::string& conninfo);

    void exec(const std::string& sql);
    std::vector<Row> rows(const std::string& sql);
    Value scalar(const std::string& sql);        // first column of the only row; throws when there is no row
    std::int64_t count(const std::string& sql);  // scalar as a number, for SELECT count(*) ...
    int backend_pid() const;
    PGconn* get() const { return conn_.get(); }

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// Where the PG* variables point, as libpq resolved them.
struct Server {
    std::string host;
    std::string port;
    std::string user;
    std::string password;
};

// A postgresql:// URI; a Unix socket directory as host is percent-encoded, as libpq accepts it.
std::string make_url(const std::string& host, const std::string& port, const std::string& user,
                     const std::string& password, const std::string& dbname);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view text);

// prefix followed by characters that make the name unique among concurrent tests; a valid SQL identifier.
std::string unique_name(const std::string& prefix);

// A fresh database with a unique name, dropped (with its sessions) at destruction.
class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& name() const { return name_; }
    const Server& server() const { return server_; }
    std::string url() const;                                               // what pgentry gets
    std::string conninfo(const std::string& application_name = "") const;  // for test sessions
    Connection& sql() { return *sql_; }  // a session on this database owned by the test

    bool has_table(const std::string& name);
    bool has_column(const std::string& table, const std::string& column);
    // From schema_migrations, ascending; empty without the table.
    std::vector<std::int64_t> applied_versions();
    // Locks on schema_migrations and advisory locks in this database held by other sessions.
    std::int64_t migration_locks();
    // Sessions pgentry opened on this database (application_name pgentry@<hostname>).
    std::int64_t pgentry_backends();

    // A session on the maintenance database, for cluster-wide objects (roles, database owners).
    Connection& admin() { return *admin_; }

private:
    std::unique_ptr<Connection> admin_;
    Server server_;
    std::string name_;
    std::unique_ptr<Connection> sql_;
};

// The table an Ecto release makes (ecto_sql's Postgres adapter, FIELD-NOTES.md): no checksum column.
inline constexpr std::string_view ecto_schema_migrations =
    "CREATE TABLE IF NOT EXISTS \"schema_migrations\" (\"version\" bigint, \"inserted_at\" timestamp(0), "
    "PRIMARY KEY (\"version\"))";

// application_name of pgentry's sessions on this machine.
std::string pgentry_application_name();

enum class LockMode { table, advisory };
std::string lock_option(LockMode mode);  // "--lock=table" / "--lock=advisory"
std::string to_string(LockMode mode);
void PrintTo(LockMode mode, std::ostream* os);  // readable names of parameterized tests

// Lowercase hex SHA-256 of text, as pgentry records checksums.
std::string sha256_hex(std::string_view text);

// pgentry's advisory lock key: the first 8 bytes (big-endian, signed) of SHA-256("<database>/<table>").
std::int64_t advisory_key(std::string_view database, std::string_view table);

// Holds the migration lock from a session named application_name until destruction: in table mode
// LOCK TABLE ... IN SHARE UPDATE EXCLUSIVE MODE in an open transaction (as Ecto does), in advisory
// mode a session-level advisory lock on pgentry's key. Table mode needs the table to exist.
class LockHolder {
public:
    LockHolder(const TestDatabase& db, LockMode mode, const std::string& application_name,
               const std::string& table = "schema_migrations");
    int backend_pid() const { return session_.backend_pid(); }

private:
    Connection session_;
};

}  // namespace pgentry::test
