#pragma once
// The database a migrating mode works on, as the wait stage left it, and what migrating and rolling back
// do on it alike: open the worker, take the lock, apply one migration with the Ecto-style lines around it.
#include <functional>
#include <optional>

#include "db/applier.hpp"
#include "db/connection.hpp"
#include "db/history.hpp"
#include "db/lock.hpp"
#include "db/migration_session.hpp"
#include "pipeline/migration_settings.hpp"

namespace pgentry::pipeline {

struct MigrationDatabase {
    db::EventLoop& loop;
    db::ConnectParams params;
    db::Connection& session;  // the waited-for connection: fast-path reads, then the lock
    db::History history;
    const MigrationSettings& settings;

    // The second connection, on which migrations run while `session` holds the lock, with pgentry's
    // session settings pinned. Before it, the history table is located (History::locate: a standby is
    // refused, and a migration's SET search_path cannot move the table). `session` may be closed and
    // opened again meanwhile (db::open_second). Throws Error(69) as those do.
    db::MigrationSession open_worker();

    // The migration lock (db::Lock::acquire) of settings.lock_kind; a role that may not lock the table
    // gets Error(70) naming what to grant. nullopt only when still_needed (when given) says no after a
    // refused try.
    std::optional<db::Lock> lock(db::MigrationSession& worker,
                                 const std::function<bool()>& still_needed = {});

    // One migration applied or rolled back (db::apply), between "== Running ..." and "== Migrated ... in
    // 0.1s" lines; run again after a lock timeout as `ddl` decides (db/ddl_retry.hpp).
    void apply(db::MigrationSession& worker, const migrations::Migration& migration, db::Applying applying,
               const db::Lock& lock, db::DdlGuard& ddl);
};

}  // namespace pgentry::pipeline
