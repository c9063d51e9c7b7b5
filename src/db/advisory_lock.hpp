#pragma once
// --lock=advisory: a session-level advisory lock held by the worker itself, so that it ends only with
// the session that applies. A session lock does not survive transaction pooling (Ecto's docs,
// pressly/goose#993): another client reusing the server connection would take it again (it is
// re-entrant), and an unlock from another server connection releases nothing. Whether a pooler pools by
// transaction cannot be told for sure from a client: one with no other client busy hands the same server
// connection back every time, just as session pooling does (measured: PgBouncer with a pool of 2). So
// pgentry refuses the advisory lock (64) through any pooler, before taking it; --lock=table works there.
#include <cstdint>

#include "db/lock_kind.hpp"

namespace pgentry::db {

class AdvisoryLock final : public LockKind {
public:
    // `worker` tries, holds and applies; `session` answers the holder reports.
    explicit AdvisoryLock(const LockSessions& sessions);

    // Error(64) before any lock is taken when a pooler sits between pgentry and the server.
    bool try_take() override;
    std::string describe_holder() override;
    void confirm() override {}  // held by the worker's own server session: if the worker answers, it is held
    void release() override;

    // The first 8 bytes of SHA-256("<database>/<table>"), big-endian.
    static std::int64_t key(const std::string& database, const TableName& table);

private:
    Connection& session_;
    Connection& worker_;
    std::int64_t key_;
    bool checked_direct_ = false;  // the worker's server pid is the one libpq connected to
    bool held_ = false;
};

}  // namespace pgentry::db
