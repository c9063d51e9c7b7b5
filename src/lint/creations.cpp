#include "lint/creations.hpp"

#include "lint/tree.hpp"

namespace pgentry::lint {
namespace {

using boost::json::object;

const object* range_var_member(const object& node, std::string_view key) {
    return tree::object_member(node, key);
}

// The table an INTO clause (CREATE TABLE AS, SELECT INTO) creates.
void record_into(const object* into, NewObjects& known) {
    if (into != nullptr) {
        if (const object* relation = range_var_member(*into, "rel")) {
            known.add_table(tree::range_var(*relation));
        }
    }
}

// The column of CHECK (column IS NOT NULL); "" for any other expression.
std::string not_null_column(const object& constraint) {
    const object* test = tree::node(tree::member(constraint, "raw_expr"), "NullTest");
    if (test == nullptr || tree::text(*test, "nulltesttype") != "IS_NOT_NULL") {
        return {};
    }
    const object* column = tree::node(tree::member(*test, "arg"), "ColumnRef");
    return column != nullptr ? std::string(tree::last_name(tree::list(*column, "fields"))) : std::string();
}

void record_constraint(const TableName& table, const object& command, NewObjects& known) {
    const object* constraint = tree::node(tree::member(command, "def"), "Constraint");
    if (constraint == nullptr) {
        return;
    }
    const std::string_view contype = tree::text(*constraint, "contype");
    if (contype == "CONSTR_CHECK" || contype == "CONSTR_FOREIGN") {
        known.add_constraint(table, std::string(tree::text(*constraint, "conname")),
                             contype == "CONSTR_CHECK" ? not_null_column(*constraint) : std::string(),
                             !tree::flag(*constraint, "skip_validation"));
    }
}

void record_alter_table(const object& statement, NewObjects& known) {
    const object* relation = range_var_member(statement, "relation");
    if (relation == nullptr) {
        return;
    }
    const TableName table = tree::range_var(*relation);
    for (const boost::json::value& item : tree::list(statement, "cmds")) {
        const object* command = tree::node(&item, "AlterTableCmd");
        const std::string_view subtype = command != nullptr ? tree::text(*command, "subtype") : "";
        if (subtype == "AT_AddColumn") {
            if (const object* column = tree::node(tree::member(*command, "def"), "ColumnDef")) {
                known.add_column(table, std::string(tree::text(*column, "colname")));
            }
        } else if (subtype == "AT_AddConstraint") {
            record_constraint(table, *command, known);
        } else if (subtype == "AT_ValidateConstraint") {
            known.validate_constraint(table, std::string(tree::text(*command, "name")));
        }
    }
}

void record_rename(const object& statement, NewObjects& known) {
    const object* relation = range_var_member(statement, "relation");
    if (relation == nullptr) {
        return;
    }
    const TableName table = tree::range_var(*relation);
    const std::string new_name(tree::text(statement, "newname"));
    const std::string_view type = tree::text(statement, "renameType");
    if (type == "OBJECT_TABLE") {
        known.rename_table(table, new_name);
    } else if (type == "OBJECT_COLUMN") {
        known.rename_column(table, std::string(tree::text(statement, "subname")), new_name);
    }
}

void record_index(const object& statement, NewObjects& known) {
    const object* relation = range_var_member(statement, "relation");
    const std::string_view name = tree::text(statement, "idxname");
    if (relation != nullptr && !name.empty() && known.has_table(tree::range_var(*relation))) {
        known.add_index({tree::range_var(*relation).schema, std::string(name)});
    }
}

}  // namespace

void record_creations(const StatementView& statement, NewObjects& known) {
    if (statement.type == "CreateStmt") {
        if (const object* relation = range_var_member(statement.node, "relation")) {
            known.add_table(tree::range_var(*relation));
        }
    } else if (statement.type == "CreateTableAsStmt") {
        record_into(tree::object_member(statement.node, "into"), known);
    } else if (statement.type == "SelectStmt") {
        record_into(tree::object_member(statement.node, "intoClause"), known);
    } else if (statement.type == "AlterTableStmt") {
        record_alter_table(statement.node, known);
    } else if (statement.type == "RenameStmt") {
        record_rename(statement.node, known);
    } else if (statement.type == "IndexStmt") {
        record_index(statement.node, known);
    }
}

}  // namespace pgentry::lint
