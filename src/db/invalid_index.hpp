#pragma once
// Invalid indexes around a transaction:false section (SPEC.md "Rolling updates", hexpm/hexpm#1817): an
// interrupted CREATE INDEX CONCURRENTLY leaves an index marked invalid, which a rerun with IF NOT EXISTS
// takes for present; the migration is then recorded and the index never used.
#include <string>
#include <string_view>
#include <vector>

#include "db/connection.hpp"
#include "db/lock.hpp"
#include "migrations/index_statement.hpp"
#include "migrations/migration.hpp"

namespace pgentry::db {

// The indexes one transaction:false section creates or rebuilds, by OID (a later SET search_path
// cannot change which ones), asked on the worker between its statements.
class BuiltIndexes {
public:
    // Before a statement. CREATE [UNIQUE] INDEX CONCURRENTLY name: an invalid index of that name in the
    // table's schema that no session is building (pg_stat_progress_create_index) is dropped with DROP
    // INDEX CONCURRENTLY and a warning "<label>: dropping the invalid index ..." (one being built is
    // left alone, with a warning: the check after the section then decides). An unnamed CREATE INDEX:
    // the table's indexes are noted, to find the new one afterwards (the server picks a fresh name, so
    // a rerun never meets an invalid one of its own).
    void before(Connection& worker, const Lock& lock, const migrations::IndexStatement& statement,
                std::string_view label);
    // After the statement succeeded: notes what it created or rebuilt (REINDEX SCHEMA, DATABASE and
    // SYSTEM are not followed: they rebuild whole catalogs).
    void after(Connection& worker, const migrations::IndexStatement& statement);
    // Error(70) "<file>: migration N: the index "s"."i" is invalid ..." for the first noted index that
    // is not valid (pg_index.indisvalid); indexes dropped later in the section are skipped.
    void require_valid(Connection& worker, const migrations::Migration& migration) const;

private:
    std::vector<std::string> existing_;  // the table's index OIDs before an unnamed CREATE INDEX
    std::vector<std::string> built_;
};

}  // namespace pgentry::db
