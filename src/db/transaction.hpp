#pragma once
// A transaction on one connection, shaped as taopq's `transaction`: BEGIN in the constructor, ROLLBACK in
// the destructor unless commit() or rollback() ended it first. Every BEGIN, COMMIT and ROLLBACK pgentry
// sends goes through here (but the ROLLBACK of Connection::cancel_and_drain, which runs inside the engine).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"

namespace pgentry::db {

// A setting for the transaction only (SET LOCAL): value is SQL as written after '=' ("0", "1000").
struct LocalSetting {
    std::string_view name;
    std::string value;
};

class Transaction {
public:
    // "BEGIN [ISOLATION LEVEL <isolation>]" and the SET LOCALs of `locals`, in one round trip. Throws
    // QueryError as exec does (nothing is left open then).
    explicit Transaction(Connection& connection, const std::vector<LocalSetting>& locals = {},
                         std::string_view isolation = {});
    // The same and then `first`, SQL run inside the transaction, still in one round trip: its result is
    // first_result(). When `first` fails, the transaction is rolled back (one more round trip) and its
    // QueryError thrown.
    Transaction(Connection& connection, const std::vector<LocalSetting>& locals, std::string_view isolation,
                std::string_view first);
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    // Rolls back when still open; a session that is gone has rolled back already (nothing is thrown).
    ~Transaction();

    // SET LOCAL name = value (one round trip); it ends with the transaction, also behind a pooler.
    void set_local(std::string_view name, std::string_view value);
    // Both end the transaction; QueryError when the server refuses or the session is gone.
    void commit();
    void rollback();

    // What `first` returned (empty when the constructor had no `first`).
    const Result& first_result() const { return first_; }

private:
    Connection* connection_;  // null once ended (or moved from)
    Result first_{nullptr};
};

// The transaction of the constructor with `first`, or nullopt when the server refused `first` with
// lock_not_available (a LOCK ... NOWAIT that another session's lock conflicts with): rolled back then. Any
// other QueryError is thrown.
std::optional<Transaction> begin_if_lock_available(Connection& connection,
                                                   const std::vector<LocalSetting>& locals,
                                                   std::string_view isolation, std::string_view first);

// Rolls back whatever transaction is open on connection (a failed migration's own BEGIN in a
// transaction:false section, or a Transaction's), saying nothing when the session is gone: the server
// rolled back then. Interrupted on a stop signal.
void roll_back_quietly(Connection& connection);

}  // namespace pgentry::db
