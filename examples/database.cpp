#include "database.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <libpq-fe.h>

namespace example {
namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string without_trailing_space(std::string text) {
    text.erase(text.find_last_not_of(" \t\r\n") + 1);
    return text;
}

Connection connect(const std::string& conninfo) {
    // Keys before dbname are defaults that a URL expanded from dbname may override. The timeouts keep a
    // health check from hanging on a database that accepts TCP but never answers.
    const char* const keys[] = {"connect_timeout", "application_name", "options", "dbname", nullptr};
    const char* const values[] = {"3", "pgentry-example-server", "-c statement_timeout=5000",
                                  conninfo.c_str(), nullptr};
    Connection connection(PQconnectdbParams(keys, values, 1), &PQfinish);
    if (PQstatus(connection.get()) != CONNECTION_OK) {
        throw std::runtime_error(without_trailing_space(PQerrorMessage(connection.get())));
    }
    return connection;
}

Result execute(PGconn* connection, const char* sql, const std::vector<const char*>& parameters = {}) {
    Result result(PQexecParams(connection, sql, static_cast<int>(parameters.size()), nullptr,
                               parameters.data(), nullptr, nullptr, 0),
                  &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error(without_trailing_space(PQresultErrorMessage(result.get())));
    }
    return result;
}

// schema_migrations keeps only versions; the names come from the files this image ships, matched as numbers
// the way pgentry matches them (a file may write its version with leading zeros).
std::map<std::string, std::string> migration_names(const std::filesystem::path& directory) {
    static const std::regex file_name(R"(0*(\d+)_([A-Za-z0-9_-]+)\.sql)");
    std::map<std::string, std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
        std::smatch match;
        const std::string name = entry.path().filename().string();
        if (std::regex_match(name, match, file_name)) {
            names[match[1]] = match[2];
        }
    }
    return names;
}

}  // namespace

Database::Database(std::string conninfo, std::filesystem::path migrations_dir)
    : conninfo_(std::move(conninfo)), migrations_dir_(std::move(migrations_dir)) {}

void Database::ping() const {
    const Connection connection = connect(conninfo_);
    execute(connection.get(), "SELECT 1");
}

FrontPage Database::record_visit(const std::string& path) const {
    const Connection connection = connect(conninfo_);
    FrontPage page;
    const Result visit =
        execute(connection.get(), "INSERT INTO visits (path) VALUES ($1) RETURNING id", {path.c_str()});
    page.visit = PQgetvalue(visit.get(), 0, 0);

    const Result applied = execute(connection.get(),
                                   "SELECT version, to_char(inserted_at, 'YYYY-MM-DD HH24:MI:SS') "
                                   "FROM schema_migrations ORDER BY version");
    const auto names = migration_names(migrations_dir_);
    for (int row = 0; row < PQntuples(applied.get()); ++row) {
        AppliedMigration migration{PQgetvalue(applied.get(), row, 0), "", PQgetvalue(applied.get(), row, 1)};
        if (const auto found = names.find(migration.version); found != names.end()) {
            migration.name = found->second;
        }
        page.migrations.push_back(std::move(migration));
    }
    return page;
}

std::string database_url_from_environment() {
    if (const char* url = std::getenv("DATABASE_URL"); url != nullptr && *url != '\0') {
        return url;
    }
    const char* file = std::getenv("DATABASE_URL_FILE");
    if (file == nullptr || *file == '\0') {
        return "";
    }
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error(std::string("DATABASE_URL_FILE: cannot read ") + file);
    }
    std::ostringstream content;
    content << in.rdbuf();
    return without_trailing_space(content.str());
}

}  // namespace example
