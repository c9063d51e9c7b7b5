#pragma once
// What the pending run itself creates: a table (or a column) made earlier in the run is new, so nothing the
// previous release runs uses it and it holds no rows yet (SPEC.md "Rolling updates", Lint). squawk knows
// the tables of the same file only; pgentry knows the whole pending run.
#include <string>
#include <vector>

namespace pgentry::lint {

// A table as a statement names it. An empty schema means "as the search path finds it": it matches the
// same name in any schema, as squawk matches them, since the search path is not known without a database.
struct TableName {
    std::string schema;
    std::string name;

    bool matches(const TableName& other) const {
        return name == other.name && (schema.empty() || other.schema.empty() || schema == other.schema);
    }
    // "users" or "app"."users", for messages.
    std::string quoted() const;
};

class NewObjects {
public:
    bool has_table(const TableName& table) const;
    bool has_column(const TableName& table, const std::string& column) const;
    bool has_index(const TableName& index) const;

    void add_table(const TableName& table);
    void add_column(const TableName& table, const std::string& column);
    void add_index(const TableName& index);
    void rename_table(const TableName& from, const std::string& to);
    void rename_column(const TableName& table, const std::string& from, const std::string& to);

    // CHECK constraints: one NOT VALID until VALIDATE CONSTRAINT. A valid CHECK (column IS NOT NULL) lets SET
    // NOT NULL skip its scan (PostgreSQL 12+), the way strong_migrations and squawk advise to add NOT NULL.
    void add_constraint(const TableName& table, const std::string& name, const std::string& not_null_column,
                        bool valid);
    void validate_constraint(const TableName& table, const std::string& name);
    bool has_valid_not_null_check(const TableName& table, const std::string& column) const;
    // Added NOT VALID by the current migration: validating it in the same transaction holds the ADD's
    // ACCESS EXCLUSIVE lock while every row is checked.
    bool added_not_valid_in_this_migration(const TableName& table, const std::string& name) const;
    void begin_migration() { this_migration_.clear(); }

private:
    struct Constraint {
        TableName table;
        std::string name;
        std::string not_null_column;  // "" unless it is CHECK (column IS NOT NULL)
        bool valid;
    };
    std::vector<Constraint> constraints_;
    std::vector<Constraint> this_migration_;  // added NOT VALID by the current migration

    struct Column {
        TableName table;
        std::string name;
    };
    std::vector<TableName> tables_;
    std::vector<Column> columns_;
    std::vector<TableName> indexes_;
};

}  // namespace pgentry::lint
