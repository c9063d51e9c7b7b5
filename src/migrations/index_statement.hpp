#pragma once
// What a migration statement does to indexes and to lock_timeout, read from its leading words
// (SPEC.md "Rolling updates"): which statements run without --ddl-lock-timeout, which index a
// CREATE INDEX CONCURRENTLY may find left invalid by an interrupted run (hexpm/hexpm#1817), and which
// indexes must be valid before a transaction:false section is recorded.
//
// A token reading (statement_tokens.hpp), not PostgreSQL's grammar: it only has to recognise the heads
// of CREATE INDEX, DROP INDEX, REINDEX and SET, whose shapes are fixed. A statement it cannot read is
// "other": it runs under the lock timeout and nothing is healed or checked for it, which is what
// pgentry did before, never a refusal.
#include <optional>
#include <string>
#include <string_view>

namespace pgentry::migrations {

// A relation named in a statement; schema empty when unqualified (the search path decides).
struct RelationName {
    std::string schema;
    std::string name;

    // Both parts double-quoted, for to_regclass() and DDL: "s"."n" or "n".
    std::string quoted() const;
};

enum class IndexAction {
    other,          // not an index statement pgentry reads
    create,         // CREATE [UNIQUE] INDEX
    drop,           // DROP INDEX
    reindex_index,  // REINDEX INDEX
    reindex_table,  // REINDEX TABLE
    reindex_other,  // REINDEX SCHEMA | DATABASE | SYSTEM: too wide to check index by index
};

struct IndexStatement {
    IndexAction action = IndexAction::other;
    bool concurrently = false;
    bool if_not_exists = false;        // create
    std::optional<std::string> index;  // create: the new index's name, nullopt when unnamed
    RelationName target;  // create: the table; reindex_index: the index; reindex_table: the table
};

IndexStatement read_index_statement(std::string_view statement);

// CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX ... CONCURRENTLY: they run without
// lock_timeout (they do not block the application while they wait, and a timeout in the middle of a
// build leaves an invalid index behind).
bool runs_without_lock_timeout(const IndexStatement& statement);

// Whether the statement sets this session's lock_timeout: SET [SESSION | LOCAL] lock_timeout ...,
// RESET lock_timeout, or a call set_config('lock_timeout', ...) anywhere in it. A set_config inside a
// function body or a DO block ($$ ... $$) is not seen.
bool sets_lock_timeout(std::string_view statement);

}  // namespace pgentry::migrations
