#pragma once
// What the poll loop (lock_poll.hpp) needs of a lock it waits for: a try, and who is in the way. The
// migration lock's kinds (lock_kind.hpp) are such locks, and so is the ACCESS EXCLUSIVE lock that adding
// the checksum column to an Ecto-made table takes (checksum_column.hpp): both wait for whoever holds
// schema_migrations, in the same way and under the same --lock-timeout.
#include <string>

namespace pgentry::db {

class PolledLock {
public:
    virtual ~PolledLock() = default;

    // One attempt that never waits inside the server; true when the lock is now held (or what it guarded is
    // done). A waiter holds no transaction between attempts (SPEC step 3): a session blocked in LOCK TABLE
    // or pg_advisory_lock holds an xmin, and the holder's CREATE INDEX CONCURRENTLY then waits for it
    // (hexpm/hexpm#1817, golang-migrate/migrate#960). Throws what the server's refusals other than "not
    // available now" become (QueryError, or Error with its exit code).
    virtual bool try_take() = 0;

    // "pid 123 (app, 10.0.0.5) since ...", or why it is unknown: for the wait reports and the timeout.
    virtual std::string describe_holder() = 0;
};

}  // namespace pgentry::db
