#pragma once
// Waiting for a lock on the migrations table, the same for every lock: try, and between tries sleep on an
// idle connection (SPEC step 3). The sleeps are jittered so that replicas released together do not retry
// in lockstep.
#include <chrono>
#include <functional>
#include <string_view>

#include "db/event_loop.hpp"
#include "db/history.hpp"
#include "db/polled_lock.hpp"

namespace pgentry::db {

// Returns true once lock.try_take() succeeded; false when, asked after a refused try, still_needed() (when
// given) says the lock is no longer wanted: another instance has done the work meanwhile. `what` names the
// lock in the messages ("the migration lock"), `table` is the table it is on. Logs "waiting for <what> held
// by <holder>" after a second, then every few seconds. Throws Error(75) naming the holder when `timeout` (0:
// none) passes, Interrupted on a stop signal, and whatever try_take() and still_needed() throw.
bool poll_for_lock(PolledLock& lock, std::string_view what, EventLoop& loop, const TableName& table,
                   std::chrono::milliseconds timeout, const std::function<bool()>& still_needed);

}  // namespace pgentry::db
