#include "db/migration_session.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>

namespace pgentry::db {

namespace {

// The settings pgentry pins (client_connection_check_interval and idle_session_timeout are PostgreSQL
// 14's), and statement_timeout when given.
std::vector<LocalSetting> pinned(int server_version,
                                 std::optional<std::chrono::milliseconds> statement_timeout) {
    std::vector<LocalSetting> settings;
    if (server_version >= 140000) {
        settings.push_back({"client_connection_check_interval", "1000"});
        settings.push_back({"idle_session_timeout", "0"});
    }
    settings.push_back({"idle_in_transaction_session_timeout", "0"});
    if (statement_timeout) {
        settings.push_back({"statement_timeout", std::to_string(statement_timeout->count())});
    }
    return settings;
}

// "SET <scope>name = value; " for each of settings.
std::string set_statements(std::string_view scope, const std::vector<LocalSetting>& settings) {
    std::string sql;
    for (const LocalSetting& setting : settings) {
        sql += fmt::format("SET {}{} = {}; ", scope, setting.name, setting.value);
    }
    return sql;
}

}  // namespace

Transaction MigrationSession::begin(std::optional<std::chrono::milliseconds> statement_timeout) {
    return Transaction(connection_, pinned(connection_.server_version(), statement_timeout));
}

bool MigrationSession::pin(std::optional<std::chrono::milliseconds> statement_timeout) {
    if (through_pooler()) {
        return false;
    }
    connection_.exec(set_statements("", pinned(connection_.server_version(), statement_timeout)));
    return true;
}

void MigrationSession::restore() {
    // RESET ALL leaves the role and the session user alone (GUC_NO_RESET_ALL): they have their own
    // RESETs, which any role may run (back to the role that logged in).
    std::string sql = "RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL; ";
    if (connection_.in_transaction()) {
        sql += set_statements("LOCAL ", pinned(connection_.server_version(), std::nullopt));
    } else if (!through_pooler()) {
        sql += set_statements("", pinned(connection_.server_version(), std::nullopt));
    }
    connection_.exec(sql);
}

bool MigrationSession::through_pooler() {
    if (!through_pooler_) {
        through_pooler_ = connection_.direct_backend_pid() == 0;
    }
    return *through_pooler_;
}

}  // namespace pgentry::db
