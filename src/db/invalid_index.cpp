#include "db/invalid_index.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.hpp"
#include "log/log.hpp"

namespace pgentry::db {

namespace {

using migrations::IndexAction;

// $1 the table as the statement names it (quoted), $2 the index name: the index is made in the table's
// schema, which the search path decides when the table is unqualified.
constexpr const char* same_named_invalid = R"sql(
SELECT format('%I.%I', n.nspname, i.relname),
       (SELECT min(p.pid) FROM pg_stat_progress_create_index p
        WHERE p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (p.relid IS NULL OR (p.relid = x.indrelid AND p.index_relid IN (0, i.oid))))
FROM pg_class i
JOIN pg_index x ON x.indexrelid = i.oid
JOIN pg_namespace n ON n.oid = i.relnamespace
WHERE i.relname = $2 AND NOT x.indisvalid
  AND i.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass($1))
)sql";

std::vector<std::string> column(const Result& result) {
    std::vector<std::string> values;
    values.reserve(static_cast<std::size_t>(result.rows()));
    for (int row = 0; row < result.rows(); ++row) {
        values.push_back(result.text(row, 0));
    }
    return values;
}

std::vector<std::string> indexes_of(Connection& worker, const migrations::RelationName& table) {
    return column(worker.exec("SELECT indexrelid::text FROM pg_index WHERE indrelid = to_regclass($1)",
                              {table.quoted()}));
}

}  // namespace

void BuiltIndexes::before(Connection& worker, const Lock& lock, const migrations::IndexStatement& statement,
                          std::string_view label) {
    if (statement.action != IndexAction::create) {
        return;
    }
    if (!statement.index) {
        existing_ = indexes_of(worker, statement.target);
        return;
    }
    if (!statement.concurrently) {
        return;
    }
    const Result invalid = worker.exec(same_named_invalid, {statement.target.quoted(), *statement.index});
    for (int row = 0; row < invalid.rows(); ++row) {
        const std::string index = invalid.text(row, 0);
        if (!invalid.is_null(row, 1)) {
            log::warn(
                fmt::format("{}: the invalid index {} is being built by pid {} (or a build pgentry may "
                            "not see): not dropped",
                            label, index, invalid.text(row, 1)));
            continue;
        }
        log::warn(
            fmt::format("{}: dropping the invalid index {} that an interrupted CREATE INDEX "
                        "CONCURRENTLY left behind, to build it again (hexpm/hexpm#1817)",
                        label, index));
        lock.exec_watched(worker, "DROP INDEX CONCURRENTLY IF EXISTS " + index);
    }
}

void BuiltIndexes::after(Connection& worker, const migrations::IndexStatement& statement) {
    switch (statement.action) {
    case IndexAction::create:
        if (statement.index) {
            const Result made = worker.exec(
                "SELECT i.oid::text FROM pg_class i WHERE i.relname = $2 AND i.relkind IN ('i', 'I') AND "
                "i.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = to_regclass($1))",
                {statement.target.quoted(), *statement.index});
            for (auto& oid : column(made)) {
                built_.push_back(std::move(oid));
            }
        } else {
            for (auto& oid : indexes_of(worker, statement.target)) {
                if (std::find(existing_.begin(), existing_.end(), oid) == existing_.end()) {
                    built_.push_back(std::move(oid));
                }
            }
        }
        break;
    case IndexAction::reindex_index: {
        const Result index = worker.exec("SELECT to_regclass($1)::oid::text", {statement.target.quoted()});
        if (!index.is_null(0, 0)) {
            built_.push_back(index.text(0, 0));
        }
        break;
    }
    case IndexAction::reindex_table:
        for (auto& oid : indexes_of(worker, statement.target)) {
            built_.push_back(std::move(oid));
        }
        break;
    case IndexAction::other:
    case IndexAction::drop:
    case IndexAction::reindex_other: break;
    }
}

void BuiltIndexes::require_valid(Connection& worker, const migrations::Migration& migration) const {
    if (built_.empty()) {
        return;
    }
    std::string oids = "{";
    for (const auto& oid : built_) {
        oids += (oids.size() > 1 ? "," : "") + oid;
    }
    const Result invalid = worker.exec(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index x JOIN pg_class c ON c.oid = "
        "x.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE x.indexrelid = ANY ($1::oid[]) AND NOT "
        "x.indisvalid "
        "ORDER BY 1",
        {oids + "}"});
    if (invalid.rows() == 0) {
        return;
    }
    throw Error(
        exit_code::migration_failed,
        fmt::format("{}: migration {} built the index {}, which is invalid (pg_index.indisvalid is false: "
                    "another session may still be building it, or its build failed): the migration "
                    "is not recorded; the next start drops an invalid index nobody builds and "
                    "builds it again",
                    migration.path.string(), migration.version, invalid.text(0, 0)),
        MigrationContext{migration.version, migration.name, "", ""});
}

}  // namespace pgentry::db
