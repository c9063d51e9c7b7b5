#pragma once
// Waiting for the migration lock, the same for every kind: try, and between tries sleep on an idle
// connection (SPEC step 3). The sleeps are jittered so that replicas released together do not retry
// in lockstep.
#include <chrono>
#include <functional>

#include "db/event_loop.hpp"
#include "db/lock_kind.hpp"

namespace pgentry::db {

// Returns true once kind.try_take() succeeded; false when, asked after a refused try, still_needed() (when
// given) says the lock is no longer wanted: another instance has done the work meanwhile. Logs who holds the
// lock after a second, then every few seconds. Throws Error(75) naming the holder when `timeout` (0: none)
// passes, Interrupted on a stop signal, and whatever try_take() and still_needed() throw.
bool poll_for_lock(LockKind& kind, EventLoop& loop, const TableName& table, std::chrono::milliseconds timeout,
                   const std::function<bool()>& still_needed);

}  // namespace pgentry::db
