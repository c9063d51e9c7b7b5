#pragma once
// Migration statements next to a running application (SPEC.md "Rolling updates: the lock queue"). A
// statement waiting for its table lock makes every later query on that table queue behind it
// (strong_migrations#99), so each runs with lock_timeout = --ddl-lock-timeout. On 55P03 a transactional
// migration is rolled back and run again, a transaction:false section retries only that statement (the
// ones before it are committed), after a jittered pause of about 0.5 s doubling to at most 10 s, with the
// migration lock still held and a warning naming the migration, the table and the session in the way:
//   20240712093000 remove_last_name: no lock on "users" within 5s (held by pid 4242, app@web-1, 10.0.1.7,
//   idle in transaction since 12:00:03 UTC); rolled back, retry 2 in 1.1 s
// After --ddl-retry-timeout (counted from the migration's first lock timeout) the last such line is an
// Error(75).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/blocking_session.hpp"
#include "db/connection.hpp"
#include "db/invalid_index.hpp"
#include "db/lock.hpp"
#include "migrations/migration.hpp"
#include "migrations/statement_splitter.hpp"

namespace pgentry::db {

struct DdlPolicy {
    std::chrono::milliseconds lock_timeout;   // --ddl-lock-timeout; 0: wait forever
    std::chrono::milliseconds retry_timeout;  // --ddl-retry-timeout
};

class DdlGuard;

// One section's statements under the policy. Made by DdlGuard::section after the section's BEGIN (or,
// for transaction:false, outside any transaction). What it decides, per section:
// - a section that sets lock_timeout itself (migrations::sets_lock_timeout) keeps its own value: pgentry
//   sets none for it, and reads the value in effect after each statement that sets it;
// - a transactional section: SET LOCAL lock_timeout once, ending with the transaction;
// - transaction:false, on a session of pgentry's own: SET lock_timeout before each statement (0 before
//   CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY); through a pooler nothing is set (a session
//   SET could stay on the server connection the application gets next), with a warning;
// - transaction:false: invalid indexes are healed before CREATE INDEX CONCURRENTLY and checked before the
//   record (db/invalid_index.hpp);
// - how often a statement in flight is looked at (watch_for): often enough that a look falls inside every
//   lock wait the lock_timeout in effect allows, however short.
class DdlSection {
public:
    // One statement (Lock::exec_watched's arguments). A lock timeout: in a transactional section it
    // leaves for DdlGuard::retrying (the caller rolls back on the way); in a transaction:false one the
    // statement runs again here after the pause. Error(75) once --ddl-retry-timeout has passed.
    void run(std::string_view statement, std::optional<std::string_view> copy_rows);
    // After the last statement, before the record: Error(70) naming an invalid index it built.
    void finish();

private:
    friend class DdlGuard;
    DdlSection(DdlGuard& guard, Connection& worker, const Lock& lock, const migrations::Migration& migration,
               const migrations::Section& section, const std::vector<migrations::Statement>& statements);
    void attempt(const std::string& statement, std::optional<std::string_view> copy_rows, bool guarded);
    // After a statement of the section's own: a SET lock_timeout in it holds for the statements after it.
    void follow_own_setting(std::string_view statement);

    DdlGuard& guard_;
    Connection& worker_;
    const Lock& lock_;
    const migrations::Migration& migration_;
    bool transaction_;
    bool own_lock_timeout_;      // the section sets lock_timeout itself
    bool session_sets_ = false;  // transaction:false on a session of pgentry's own
    int worker_pid_ = 0;         // the backend the statements run on; 0 behind a pooler outside a transaction
    std::chrono::milliseconds lock_timeout_{0};  // in effect for the next statement; 0: none
    BuiltIndexes indexes_;
};

class DdlGuard {
public:
    // params opens, when a statement waits, the session that sees who blocks it (blocking_session.hpp).
    DdlGuard(EventLoop& loop, ConnectParams params, DdlPolicy policy)
        : loop_(loop), blocking_(loop, std::move(params)), policy_(policy) {}

    // Runs apply_once (one application of migration, which rolls back what it did when it throws) again
    // after each lock timeout of a transactional section, until it returns.
    void retrying(const migrations::Migration& migration, const std::function<void()>& apply_once);

    DdlSection section(Connection& worker, const Lock& lock, const migrations::Migration& migration,
                       const migrations::Section& section,
                       const std::vector<migrations::Statement>& statements) {
        return DdlSection(*this, worker, lock, migration, section, statements);
    }

private:
    friend class DdlSection;
    // What the looks at one statement found, for its warning.
    struct Looks {
        Clock::duration first{};            // when the first was due, counted from the statement's start
        int made = 0;                       // looks started
        int answered = 0;                   // looks the server answered
        std::optional<LockWait> last_seen;  // the session in the way at the last look that found one
    };

    // The warning's first part: "<version> <name>: no lock on "users" within 5s (held by ...)", or what
    // pgentry knows when it saw no session in the way.
    std::string describe(const migrations::Migration& migration, bool own_lock_timeout,
                         const Looks& looks) const;
    // The warning's parenthesis: "held by pid 4242, ...", or why no session in the way was seen.
    static std::string in_the_way(const Looks& looks);
    // After a lock timeout: the warning and the pause, or Error(75) once --ddl-retry-timeout passed.
    void after_timeout(const migrations::Migration& migration, const std::string& description,
                       bool transactional);

    EventLoop& loop_;
    BlockingSessions blocking_;
    DdlPolicy policy_;
    std::optional<Clock::time_point> first_timeout_;  // of the migration being retried
    int retries_ = 0;
};

}  // namespace pgentry::db
