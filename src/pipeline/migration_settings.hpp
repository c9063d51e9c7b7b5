#pragma once
// What the migrating modes read from the configuration, in the db layer's own types: built from the options
// by entrypoint/migrator_main.cpp, so that pipeline/ and db/ never see config::Options.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "db/ddl_retry.hpp"
#include "db/history.hpp"
#include "lint/policy.hpp"
#include "process/log_format.hpp"

namespace pgentry::pipeline {

struct MigrationSettings {
    db::TableName table;    // --migrations-table, as given
    std::string lock_kind;  // --lock, as spelled: "table" or "advisory" (db/lock_kinds.cpp)
    std::chrono::milliseconds lock_timeout{0};                   // --lock-timeout; 0: no limit
    std::optional<std::chrono::milliseconds> statement_timeout;  // nullopt: the server's setting
    std::chrono::milliseconds wait_timeout{0};                   // --wait-timeout; 0: one attempt
    lint::Policy lint = lint::Policy::warn;                      // --lint: before applying the pending run
    int rollback_steps = 1;                                      // --steps
    std::optional<std::int64_t> rollback_to;  // --to: the applied version to end at (0: all)
    db::DdlPolicy ddl;                        // --ddl-lock-timeout, --ddl-retry-timeout
    process::LogFormat report_format = process::LogFormat::text;  // --log-format: how status prints
};

}  // namespace pgentry::pipeline
