#include "db/step.hpp"

#include <fmt/format.h>

namespace pgentry::db {

namespace {

// pgentry's advice for causes it knows, when the server gave none.
std::string_view known_hint(const ServerError& error) {
    const std::string_view sqlstate = error.sqlstate;
    // PgBouncer's words (08P01) when a client waited longer than query_wait_timeout for a server connection.
    if (error.message.find("query_wait_timeout") != std::string::npos) {
        return "the pooler had no server connection free for pgentry: while migrating, each instance holds "
               "its "
               "lock transaction on one server connection and migrates on another, so the pool needs at "
               "least 2 "
               "(PgBouncer's default_pool_size)";
    }
    if (sqlstate == "42501") {
        return "grant the role pgentry connects as what this step needs: CREATE on the history table's "
               "schema "
               "to create it, SELECT, INSERT and DELETE on it afterwards; or connect as its owner";
    }
    if (sqlstate == "25006") {
        return "the server is read-only (a hot standby, or default_transaction_read_only): point the "
               "database URL at the primary, e.g. with target_session_attrs=read-write";
    }
    // admin_shutdown, crash_shutdown, connection failures: the session ended under pgentry.
    if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate.starts_with("08")) {
        return "the session ended (a server restart or failover): nothing of this step was kept, and the "
               "next start tries again";
    }
    return {};
}

}  // namespace

Error step_error(std::string_view step, const ServerError& error) {
    std::string message = fmt::format("{}: SQLSTATE {}: {}", step, error.sqlstate, error.message);
    if (!error.detail.empty()) {
        message += "; DETAIL: " + error.detail;
    }
    const std::string_view hint = error.hint.empty() ? known_hint(error) : error.hint;
    if (!hint.empty()) {
        message += fmt::format("; HINT: {}", hint);
    }
    return Error(exit_code::migration_failed, message,
                 MigrationContext{0, "", error.sqlstate, std::string(step)});
}

}  // namespace pgentry::db
