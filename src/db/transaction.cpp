#include "db/transaction.hpp"

#include <utility>

#include <fmt/format.h>

#include "log/log.hpp"

namespace pgentry::db {

Transaction::Transaction(Connection& connection, const std::vector<LocalSetting>& locals,
                         std::string_view isolation)
    : Transaction(connection, locals, isolation, {}) {}

Transaction::Transaction(Connection& connection, const std::vector<LocalSetting>& locals,
                         std::string_view isolation, std::string_view first)
    : connection_(&connection) {
    std::string sql = isolation.empty() ? "BEGIN; " : fmt::format("BEGIN ISOLATION LEVEL {}; ", isolation);
    for (const LocalSetting& local : locals) {
        sql += fmt::format("SET LOCAL {} = {}; ", local.name, local.value);
    }
    sql += first;
    try {
        first_ = connection.exec(sql);
    } catch (...) {
        roll_back_quietly(connection);  // a refused SET LOCAL leaves the BEGIN open
        throw;
    }
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), first_(std::move(other.first_)) {}

Transaction::~Transaction() {
    if (!connection_) {
        return;
    }
    try {
        roll_back_quietly(*connection_);
    } catch (const std::exception& failure) {
        // A stop signal cut the wait short: the session closes on the way out, which rolls back too.
        log::debug(std::string("rolling back: ") + failure.what());
    }
}

void Transaction::set_local(std::string_view name, std::string_view value) {
    connection_->exec(fmt::format("SET LOCAL {} = {}", name, value));
}

void Transaction::commit() {
    std::exchange(connection_, nullptr)->exec("COMMIT");
}

void Transaction::rollback() {
    std::exchange(connection_, nullptr)->exec("ROLLBACK");
}

std::optional<Transaction> begin_if_lock_available(Connection& connection,
                                                   const std::vector<LocalSetting>& locals,
                                                   std::string_view isolation, std::string_view first) {
    try {
        return Transaction(connection, locals, isolation, first);
    } catch (const QueryError& failure) {
        if (failure.error().sqlstate != lock_not_available) {
            throw;
        }
        return std::nullopt;
    }
}

void roll_back_quietly(Connection& connection) {
    try {
        if (connection.in_transaction()) {
            connection.exec("ROLLBACK");
        }
    } catch (const QueryError&) {
        // the session is gone: the server rolled back already
    }
}

}  // namespace pgentry::db
