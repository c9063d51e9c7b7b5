#pragma once
// --lock=advisory: a session-level advisory lock held by the worker itself, so that it ends only with
// the session that applies. A session lock does not survive transaction pooling (Ecto's docs,
// pressly/goose#993): another client reusing the server connection would take it again (it is
// re-entrant), and an unlock from another server connection releases nothing. pgentry detects such a
// proxy and refuses (64) rather than migrate unguarded.
#include <cstdint>

#include "db/lock_kind.hpp"

namespace pgentry::db {

class AdvisoryLock final : public LockKind {
public:
    // `worker` tries, holds and applies; `session` answers the holder reports and the pooling probe.
    explicit AdvisoryLock(const LockSessions& sessions);

    bool try_take() override;
    std::string describe_holder() override;
    void confirm() override;
    void release() override;

    // The first 8 bytes of SHA-256("<database>/<table>"), big-endian.
    static std::int64_t key(const std::string& database, const TableName& table);

private:
    // Error(64) unless the server connection that took the lock stays the worker's own.
    void refuse_transaction_pooling();
    [[noreturn]] void refuse();
    // Releases the lock on the server connection that took it, which a pooler may have handed to
    // another client meanwhile.
    void release_on_holder_backend();

    Connection& session_;
    Connection& worker_;
    std::int64_t key_;
    bool held_ = false;
    int backend_ = 0;       // pg_backend_pid() of the server connection that took the lock
    bool proxied_ = false;  // the connection reports another pid than its server's: a pooler is between
};

}  // namespace pgentry::db
