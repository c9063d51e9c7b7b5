#include "database.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <random>
#include <stdexcept>

#include <openssl/sha.h>

namespace pgentry::test {
namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string quote_literal(std::string_view text) {
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c;
        if (c == '\'') {
            quoted += c;
        }
    }
    return quoted + "'";
}

// The maintenance database is whatever the PG* variables name.
constexpr const char* maintenance_conninfo = "application_name=pgentry-tests connect_timeout=10";

std::array<unsigned char, SHA256_DIGEST_LENGTH> sha256(std::string_view text) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
    return digest;
}

}  // namespace

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        throw std::runtime_error(
            "cannot connect (the tests find PostgreSQL through PG* variables, as pg_virtualenv sets them): " +
            std::string(PQerrorMessage(conn_.get())));
    }
    // NOTICEs (IF EXISTS, ...) would clutter the test output.
    const auto ignore = [](void*, const char*) {};
    PQsetNoticeProcessor(conn_.get(), ignore, nullptr);
}

std::vector<Row> Connection::rows(const std::string& sql) {
    Result result(PQexec(conn_.get(), sql.c_str()), &PQclear);
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error(sql + ": " + PQerrorMessage(conn_.get()));
    }
    std::vector<Row> rows;
    for (int r = 0; r < PQntuples(result.get()); ++r) {
        Row row;
        for (int c = 0; c < PQnfields(result.get()); ++c) {
            row.push_back(PQgetisnull(result.get(), r, c) ? Value{} : Value{PQgetvalue(result.get(), r, c)});
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

void Connection::exec(const std::string& sql) {
    rows(sql);
}

Value Connection::scalar(const std::string& sql) {
    auto result = rows(sql);
    if (result.size() != 1 || result.front().empty()) {
        throw std::runtime_error(sql + ": expected one row, got " + std::to_string(result.size()));
    }
    return result.front().front();
}

std::int64_t Connection::count(const std::string& sql) {
    return std::stoll(scalar(sql).value_or("0"));
}

int Connection::backend_pid() const {
    return PQbackendPID(conn_.get());
}

std::string unique_name(const std::string& prefix) {
    static std::atomic<int> counter{0};
    std::random_device random;
    std::array<char, 48> suffix{};
    std::snprintf(suffix.data(), suffix.size(), "_%d_%d_%08x", static_cast<int>(::getpid()), counter++,
                  random());
    return prefix + suffix.data();
}

std::string percent_encode(std::string_view text) {
    std::string encoded;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            encoded += static_cast<char>(c);
        } else {
            std::array<char, 4> hex{};
            std::snprintf(hex.data(), hex.size(), "%%%02X", c);
            encoded += hex.data();
        }
    }
    return encoded;
}

std::string make_url(const std::string& host, const std::string& port, const std::string& user,
                     const std::string& password, const std::string& dbname) {
    // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) about ":" + std::string (GCC bug 105329).
    std::string url = "postgresql://";
    url += percent_encode(user);
    if (!password.empty()) {
        url += ':';
        url += percent_encode(password);
    }
    const bool ipv6 = host.find(':') != std::string::npos;
    url += '@';
    url += ipv6 ? "[" + host + "]" : percent_encode(host);
    url += ':';
    url += port;
    url += '/';
    url += percent_encode(dbname);
    return url;
}

TestDatabase::TestDatabase()
    : admin_(std::make_unique<Connection>(maintenance_conninfo)), name_(unique_name("pgentry_test")) {
    PGconn* conn = admin_->get();
    server_ = {PQhost(conn), PQport(conn), PQuser(conn), PQpass(conn) ? PQpass(conn) : ""};
    admin_->exec("CREATE DATABASE " + name_);
    sql_ = std::make_unique<Connection>(conninfo("pgentry-tests"));
}

TestDatabase::~TestDatabase() {
    sql_.reset();
    try {
        admin_->exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // A leftover database only costs disk space in a throw-away cluster; a throwing destructor aborts.
    }
}

std::string TestDatabase::url() const {
    return make_url(server_.host, server_.port, server_.user, server_.password, name_);
}

std::string TestDatabase::conninfo(const std::string& application_name) const {
    std::string info = "host=" + quote_literal(server_.host) + " port=" + quote_literal(server_.port) +
                       " user=" + quote_literal(server_.user) + " dbname=" + quote_literal(name_);
    if (!server_.password.empty()) {
        info += " password=" + quote_literal(server_.password);
    }
    if (!application_name.empty()) {
        info += " application_name=" + quote_literal(application_name);
    }
    return info;
}

bool TestDatabase::has_table(const std::string& name) {
    return sql_->scalar("SELECT to_regclass(" + quote_literal(name) + ") IS NOT NULL") == "t";
}

bool TestDatabase::has_column(const std::string& table, const std::string& column) {
    return sql_->count("SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(" +
                       quote_literal(table) + ") AND attname = " + quote_literal(column) +
                       " AND NOT attisdropped") == 1;
}

std::vector<std::int64_t> TestDatabase::applied_versions() {
    std::vector<std::int64_t> versions;
    if (!has_table("schema_migrations")) {
        return versions;
    }
    for (const auto& row : sql_->rows("SELECT version FROM schema_migrations ORDER BY version")) {
        versions.push_back(std::stoll(row.at(0).value()));
    }
    return versions;
}

std::int64_t TestDatabase::migration_locks() {
    return sql_->count(
        "SELECT count(*) FROM pg_locks WHERE pid <> pg_backend_pid() AND ("
        " (locktype = 'relation' AND relation = to_regclass('schema_migrations'))"
        " OR (locktype = 'advisory'"
        "     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())))");
}

std::int64_t TestDatabase::pgentry_backends() {
    return sql_->count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = " +
        quote_literal(pgentry_application_name()));
}

std::string pgentry_application_name() {
    std::array<char, 256> host{};
    ::gethostname(host.data(), host.size() - 1);
    return std::string("pgentry@") + host.data();
}

std::string lock_option(LockMode mode) {
    return "--lock=" + to_string(mode);
}

std::string to_string(LockMode mode) {
    return mode == LockMode::table ? "table" : "advisory";
}

std::string sha256_hex(std::string_view text) {
    std::string hex;
    for (const unsigned char byte : sha256(text)) {
        std::array<char, 3> pair{};
        std::snprintf(pair.data(), pair.size(), "%02x", byte);
        hex += pair.data();
    }
    return hex;
}

void PrintTo(LockMode mode, std::ostream* os) {
    *os << to_string(mode);
}

std::int64_t advisory_key(std::string_view database, std::string_view table) {
    const auto digest = sha256(std::string(database) + "/" + std::string(table));
    std::uint64_t key = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        key = (key << 8) | digest[i];
    }
    return static_cast<std::int64_t>(key);
}

LockHolder::LockHolder(const TestDatabase& db, LockMode mode, const std::string& application_name,
                       const std::string& table)
    : session_(db.conninfo(application_name)) {
    if (mode == LockMode::table) {
        session_.exec("BEGIN");
        session_.exec("LOCK TABLE " + table + " IN SHARE UPDATE EXCLUSIVE MODE");
    } else {
        session_.exec("SELECT pg_advisory_lock(" + std::to_string(advisory_key(db.name(), table)) + ")");
    }
}

}  // namespace pgentry::test
