#pragma once
// What differs between --lock=table and --lock=advisory, behind one interface: the Lock facade and the
// shared poll loop (lock_poll.hpp) drive every kind the same way. A kind is one class in its own file
// (table_lock, advisory_lock) with try_take, describe_holder, confirm and release together, and one row in
// lock_kinds.cpp that names it as --lock spells it.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "db/history.hpp"
#include "db/polled_lock.hpp"

namespace pgentry::db {

// What a lock kind works with. `session` is idle and `worker` will apply the migrations; `params` opens a
// further session when a kind needs one; `table` is --migrations-table as given (the lock's name).
struct LockSessions {
    Connection& session;
    Connection& worker;
    const ConnectParams& params;
    const TableName& table;
};

// try_take() and describe_holder() as PolledLock says; try_take() throws Error(64) when the kind cannot work
// here (--lock=advisory through a pooler).
class LockKind : public PolledLock {
public:
    // Error(70) (table) when the lock no longer guards the worker; called right before each migration's
    // record commits.
    virtual void confirm() = 0;

    // Whether the worker's statement in flight waits for this lock's own session (VACUUM or ANALYZE of
    // the whole database also processes the migrations table). Runs on a connection other than the
    // worker's; false for kinds that block no statement.
    virtual bool blocks_worker() { return false; }

    // Opens now, rather than at the first check, the connection blocks_worker() asks on; false when none
    // is to be had (it then checks nothing). Never throws.
    virtual bool open_checks() { return false; }

    // Gives the lock back; idempotent.
    virtual void release() = 0;
};

// The kind that --lock=name names (lock_kinds.cpp), made for `sessions`. std::invalid_argument for a name
// no row has (config accepts only the names of lock_kinds.cpp's rows).
std::unique_ptr<LockKind> make_lock_kind(std::string_view name, const LockSessions& sessions);

// Runs release, what gives back a lock that `holder` holds. A holder whose session the server has ended
// (terminated, an idle timeout, a restart) gave the lock back with it, which is no error: a run whose
// migrations all committed does not fail there (logged at debug). QueryError when a live session refuses;
// Interrupted on a stop signal.
void give_back(Connection& holder, const std::function<void()>& release);

// The oldest other session of this database holding a lock that matches `condition` (SQL over pg_locks
// as l, with $1... bound to `params`), as "pid 123 (app, host) since 2026-01-01 10:00:00 UTC".
std::string describe_lock_holder(Connection& observer, std::string_view condition,
                                 const std::vector<std::string>& params);

}  // namespace pgentry::db
