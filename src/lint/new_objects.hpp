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

private:
    struct Column {
        TableName table;
        std::string name;
    };
    std::vector<TableName> tables_;
    std::vector<Column> columns_;
    std::vector<TableName> indexes_;
};

}  // namespace pgentry::lint
