#pragma once
// Adding pgentry's checksum column to a table Ecto made, without ever waiting inside the server. The ALTER
// TABLE needs ACCESS EXCLUSIVE, and one that waits for it in the server queues every later reader of the
// table behind it (an Ecto app booting, other replicas' lock-free first read; the lock queue of SPEC
// "Rolling updates"). Worse, behind an Ecto release that holds its SHARE UPDATE EXCLUSIVE lock while it runs
// CREATE INDEX CONCURRENTLY on another connection, the waiting ALTER holds a snapshot the index build waits
// for, and the release waits for the ALTER: a hang until something is killed (hexpm/hexpm#1817's shape, SPEC
// step 3). Replicas adopting the table together hung too (4 released at once, here): one's ALTER queued
// behind another's migration lock, whose read under that lock queued behind the ALTER. So it waits as the
// migration lock's waiter does, with the same poll loop (lock_poll.hpp): LOCK TABLE ... NOWAIT and the ALTER
// in a short transaction of their own, a jittered sleep on the idle session after each refusal.
#include <chrono>

#include "db/connection.hpp"
#include "db/history.hpp"

namespace pgentry::db {

// Adds `checksum text` (nullable, no default: no rewrite; Ecto ignores it) to `table` (schema-qualified)
// on `session`, which must be idle. Returns once the column exists: true when this session added it, false
// when another instance did meanwhile (which ends the wait too). Logs who holds the table after a second,
// then every few seconds; Error(75) naming the holder once `timeout` (0: none) passes, the wait being for the
// same holder as the migration lock's; Interrupted on a stop signal. QueryError for every other refusal:
// 42501 when the role may not lock or alter the table, 25006 in a read-only transaction.
bool add_checksum_column(Connection& session, const TableName& table, std::chrono::milliseconds timeout);

}  // namespace pgentry::db
