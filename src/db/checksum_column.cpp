#include "db/checksum_column.hpp"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "db/lock_kind.hpp"
#include "db/lock_poll.hpp"
#include "db/polled_lock.hpp"
#include "db/transaction.hpp"

namespace pgentry::db {

namespace {

// The ACCESS EXCLUSIVE lock, taken only for as long as the ALTER takes.
class ColumnLock final : public PolledLock {
public:
    ColumnLock(Connection& session, const TableName& table) : session_(session), table_(table) {}

    // Two round trips when taken (the ALTER, then COMMIT), two when refused (the ROLLBACK). The SET LOCALs
    // keep a role's statement_timeout or idle_in_transaction_session_timeout from cutting the attempt.
    // lock_timeout: the ALTER needs no lock the LOCK did not take; should it ever (a table with inheritance
    // children), a short wait ends as a refused try instead of a queue.
    bool try_take() override {
        std::optional<Transaction> attempt =
            begin_if_lock_available(session_,
                                    {{"statement_timeout", "0"},
                                     {"lock_timeout", "'100ms'"},
                                     {"idle_in_transaction_session_timeout", "0"}},
                                    "READ COMMITTED",
                                    fmt::format("LOCK TABLE {0} IN ACCESS EXCLUSIVE MODE NOWAIT; "
                                                "ALTER TABLE {0} ADD COLUMN IF NOT EXISTS checksum text",
                                                table_.quoted()));
        if (!attempt) {
            return false;
        }
        attempt->commit();
        return true;
    }

    // Every lock conflicts with ACCESS EXCLUSIVE: the oldest holder of any is in the way.
    std::string describe_holder() override {
        return describe_lock_holder(session_, "l.locktype = 'relation' AND l.relation = to_regclass($1)",
                                    {table_.quoted()});
    }

    // Between refused tries: another instance (that then took the migration lock, which also keeps this
    // one out) may have added it, and waiting on would wait out that instance's whole run.
    bool column_missing() {
        return session_
                   .exec(
                       "SELECT NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND "
                       "attname = 'checksum' AND attnum > 0 AND NOT attisdropped)",
                       {table_.quoted()})
                   .text(0, 0) == "t";
    }

private:
    Connection& session_;
    const TableName& table_;
};

}  // namespace

bool add_checksum_column(Connection& session, const TableName& table, std::chrono::milliseconds timeout) {
    ColumnLock lock(session, table);
    return poll_for_lock(lock, "the lock to add the checksum column", session.loop(), table, timeout,
                         [&] { return lock.column_missing(); });
}

}  // namespace pgentry::db
