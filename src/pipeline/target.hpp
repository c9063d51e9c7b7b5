#pragma once
// The database a migrating mode works on, as the wait stage left it.
#include "config/options.hpp"
#include "db/connection.hpp"
#include "db/history.hpp"

namespace pgentry::pipeline {

struct Target {
    db::EventLoop& loop;
    db::ConnectParams params;
    db::Connection& session;  // the waited-for connection: fast-path reads, then the lock
    db::History history;
    config::Duration wait_timeout;

    // The second connection, on which migrations run while `session` holds the lock.
    db::Connection open_worker() const;
};

}  // namespace pgentry::pipeline
