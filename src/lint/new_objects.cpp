#include "lint/new_objects.hpp"

#include <algorithm>

namespace pgentry::lint {
namespace {

std::string quote(const std::string& identifier) {
    std::string quoted = "\"";
    for (const char c : identifier) {
        quoted += c;
        if (c == '"') {
            quoted += '"';
        }
    }
    return quoted + "\"";
}

bool contains(const std::vector<TableName>& names, const TableName& name) {
    return std::any_of(names.begin(), names.end(),
                       [&](const TableName& known) { return known.matches(name); });
}

}  // namespace

std::string TableName::quoted() const {
    return schema.empty() ? quote(name) : quote(schema) + "." + quote(name);
}

bool NewObjects::has_table(const TableName& table) const {
    return contains(tables_, table);
}

bool NewObjects::has_column(const TableName& table, const std::string& column) const {
    return has_table(table) || std::any_of(columns_.begin(), columns_.end(), [&](const Column& known) {
               return known.name == column && known.table.matches(table);
           });
}

bool NewObjects::has_index(const TableName& index) const {
    return contains(indexes_, index);
}

void NewObjects::add_table(const TableName& table) {
    tables_.push_back(table);
}

void NewObjects::add_column(const TableName& table, const std::string& column) {
    columns_.push_back({table, column});
}

void NewObjects::add_index(const TableName& index) {
    indexes_.push_back(index);
}

void NewObjects::rename_table(const TableName& from, const std::string& to) {
    if (has_table(from)) {
        tables_.push_back({from.schema, to});
    }
}

void NewObjects::rename_column(const TableName& table, const std::string& from, const std::string& to) {
    if (has_column(table, from)) {
        columns_.push_back({table, to});
    }
}

void NewObjects::add_constraint(const TableName& table, const std::string& name,
                                const std::string& not_null_column, bool valid) {
    constraints_.push_back({table, name, not_null_column, valid});
    if (!valid) {
        this_migration_.push_back(constraints_.back());
    }
}

void NewObjects::validate_constraint(const TableName& table, const std::string& name) {
    for (Constraint& constraint : constraints_) {
        if (constraint.name == name && constraint.table.matches(table)) {
            constraint.valid = true;
        }
    }
}

bool NewObjects::has_valid_not_null_check(const TableName& table, const std::string& column) const {
    return std::any_of(constraints_.begin(), constraints_.end(), [&](const Constraint& constraint) {
        return constraint.valid && constraint.not_null_column == column && constraint.table.matches(table);
    });
}

bool NewObjects::added_not_valid_in_this_migration(const TableName& table, const std::string& name) const {
    return std::any_of(this_migration_.begin(), this_migration_.end(), [&](const Constraint& constraint) {
        return constraint.name == name && constraint.table.matches(table);
    });
}

}  // namespace pgentry::lint
