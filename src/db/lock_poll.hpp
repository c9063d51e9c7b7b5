#pragma once
// Waiting for the migration lock, the same for every kind: try, and between tries sleep on an idle
// connection (SPEC step 3). The sleeps are jittered so that replicas released together do not retry
// in lockstep.
#include <chrono>

#include "db/event_loop.hpp"
#include "db/lock_kind.hpp"

namespace pgentry::db {

// Returns once kind.try_take() succeeded. Logs who holds the lock after a second, then every few
// seconds. Throws Error(75) naming the holder when `timeout` (0: none) passes, Interrupted on a stop
// signal, and whatever try_take() throws.
void poll_for_lock(LockKind& kind, EventLoop& loop, const TableName& table,
                   std::chrono::milliseconds timeout);

}  // namespace pgentry::db
