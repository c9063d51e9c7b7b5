#pragma once
// The database a migrating mode works on, as the wait stage left it.
#include "config/options.hpp"
#include "db/connection.hpp"
#include "db/history.hpp"
#include "db/lock.hpp"

namespace pgentry::pipeline {

struct Target {
    db::EventLoop& loop;
    db::ConnectParams params;
    db::Connection& session;  // the waited-for connection: fast-path reads, then the lock
    db::History history;
    config::Duration wait_timeout;

    // The second connection, on which migrations run while `session` holds the lock. Before it, the
    // history table is located (History::locate: a standby is refused, and a migration's SET
    // search_path cannot move the table). `session` may be closed and opened again meanwhile
    // (db::open_second). Throws Error(69) as those do.
    db::Connection open_worker();

    // The migration lock (db::Lock::acquire); a role that may not lock the table gets Error(70) naming
    // what to grant.
    db::Lock lock(db::Connection& worker, const config::Options& options);
};

}  // namespace pgentry::pipeline
