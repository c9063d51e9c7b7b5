#include "lint/rules.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "lint/tree.hpp"
#include "lint/volatility.hpp"

// Each rule reads the statement node types of PostgreSQL 15's raw parse tree (parsenodes.h); what each
// finds and why it hurts is SPEC.md's Lint table. Operations on what the pending run created are never
// reported: nothing of the previous release uses it and it is empty.

namespace pgentry::lint {
namespace {

using Messages = std::vector<std::string>;
using boost::json::object;

std::string quote(std::string_view identifier) {
    return TableName{"", std::string(identifier)}.quoted();
}

// Calls visit(table, command) for each "ALTER TABLE table <subtype> ..." command of the statement.
void for_each_command(const StatementView& statement, std::string_view subtype,
                      const std::function<void(const TableName&, const object&)>& visit) {
    if (statement.type != "AlterTableStmt" || tree::text(statement.node, "objtype") != "OBJECT_TABLE") {
        return;
    }
    const object* relation = tree::object_member(statement.node, "relation");
    const TableName table = relation != nullptr ? tree::range_var(*relation) : TableName{};
    for (const boost::json::value& item : tree::list(statement.node, "cmds")) {
        const object* command = tree::node(&item, "AlterTableCmd");
        if (command != nullptr && tree::text(*command, "subtype") == subtype) {
            visit(table, *command);
        }
    }
}

// The ColumnDef of an ADD COLUMN command, and the constraints written with it.
const object* column_definition(const object& command) {
    return tree::node(tree::member(command, "def"), "ColumnDef");
}

bool has_constraint(const object& column, std::string_view contype) {
    const auto& constraints = tree::list(column, "constraints");
    return std::any_of(constraints.begin(), constraints.end(), [&](const boost::json::value& item) {
        const object* constraint = tree::node(&item, "Constraint");
        return constraint != nullptr && tree::text(*constraint, "contype") == contype;
    });
}

// serial, bigserial, smallserial: a DEFAULT nextval() that the parser adds later, at execution.
bool is_serial(const object& column) {
    const object* type = tree::object_member(column, "typeName");
    if (type == nullptr) {
        return false;
    }
    static constexpr std::array serials = std::to_array<std::string_view>(
        {"serial", "serial2", "serial4", "serial8", "smallserial", "bigserial"});
    const std::string_view name = tree::last_name(tree::list(*type, "names"));
    return std::find(serials.begin(), serials.end(), name) != serials.end();
}

// The Constraint node an ADD CONSTRAINT command adds.
const object* added_constraint(const object& command) {
    return tree::node(tree::member(command, "def"), "Constraint");
}

// ---- the rules
// ---------------------------------------------------------------------------------------------

void ban_drop_column(const StatementView& statement, const NewObjects& known, Messages& messages) {
    for_each_command(statement, "AT_DropColumn", [&](const TableName& table, const object& command) {
        const std::string column(tree::text(command, "name"));
        if (!known.has_column(table, column)) {
            messages.push_back("the previous release still reads " + table.quoted() + "." + quote(column) +
                               "; stop using it in one release, drop it in the next");
        }
    });
}

void ban_drop_table(const StatementView& statement, const NewObjects& known, Messages& messages) {
    if (statement.type != "DropStmt" || tree::text(statement.node, "removeType") != "OBJECT_TABLE") {
        return;
    }
    for (const boost::json::value& item : tree::list(statement.node, "objects")) {
        const object* names = tree::node(&item, "List");
        const TableName table =
            names != nullptr ? tree::qualified_name(tree::list(*names, "items")) : TableName{};
        if (!known.has_table(table)) {
            messages.push_back("the previous release still uses " + table.quoted() +
                               "; stop using it in one release, drop it in the next");
        }
    }
}

// RENAME of a table's column, or of the table itself (ALTER TABLE ... RENAME [COLUMN] ... TO ...).
const object* table_rename(const StatementView& statement, std::string_view rename_type) {
    if (statement.type != "RenameStmt" || tree::text(statement.node, "renameType") != rename_type) {
        return nullptr;
    }
    return tree::object_member(statement.node, "relation");
}

void renaming_column(const StatementView& statement, const NewObjects& known, Messages& messages) {
    const object* relation = table_rename(statement, "OBJECT_COLUMN");
    if (relation == nullptr || tree::text(statement.node, "relationType") != "OBJECT_TABLE") {
        return;
    }
    const TableName table = tree::range_var(*relation);
    const std::string column(tree::text(statement.node, "subname"));
    if (!known.has_column(table, column)) {
        messages.push_back("the previous release still uses " + table.quoted() + "." + quote(column) +
                           "; add the new column, write both, and drop the old one in a later release");
    }
}

void renaming_table(const StatementView& statement, const NewObjects& known, Messages& messages) {
    const object* relation = table_rename(statement, "OBJECT_TABLE");
    if (relation != nullptr && !known.has_table(tree::range_var(*relation))) {
        messages.push_back(
            "the previous release still uses " + tree::range_var(*relation).quoted() +
            "; create the new table (or a view under the new name) and move over two releases");
    }
}

void adding_required_field(const StatementView& statement, const NewObjects& known, Messages& messages) {
    for_each_command(statement, "AT_AddColumn", [&](const TableName& table, const object& command) {
        const object* column = column_definition(command);
        if (column == nullptr || known.has_table(table) || !has_constraint(*column, "CONSTR_NOTNULL") ||
            has_constraint(*column, "CONSTR_DEFAULT") || has_constraint(*column, "CONSTR_GENERATED") ||
            has_constraint(*column, "CONSTR_IDENTITY") || is_serial(*column)) {
            return;
        }
        messages.push_back(
            "the previous release's inserts do not set " + table.quoted() + "." +
            quote(tree::text(*column, "colname")) +
            " and fail on NOT NULL; add it with a DEFAULT, or nullable and SET NOT NULL later");
    });
}

void adding_not_nullable_field(const StatementView& statement, const NewObjects& known, Messages& messages) {
    for_each_command(statement, "AT_SetNotNull", [&](const TableName& table, const object& command) {
        if (!known.has_table(table) &&
            !known.has_valid_not_null_check(table, std::string(tree::text(command, "name")))) {
            messages.push_back("SET NOT NULL on " + table.quoted() + "." +
                               quote(tree::text(command, "name")) +
                               " scans the whole table under ACCESS EXCLUSIVE; add a CHECK (" +
                               quote(tree::text(command, "name")) +
                               " IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL");
        }
    });
}

void changing_column_type(const StatementView& statement, const NewObjects& known, Messages& messages) {
    for_each_command(statement, "AT_AlterColumnType", [&](const TableName& table, const object& command) {
        if (!known.has_table(table)) {
            messages.push_back(
                "changing the type of " + table.quoted() + "." + quote(tree::text(command, "name")) +
                " rewrites the table under ACCESS EXCLUSIVE and may break the previous release; "
                "add a new column, backfill it, and switch over");
        }
    });
}

void adding_field_with_default(const StatementView& statement, const NewObjects& known, Messages& messages) {
    for_each_command(statement, "AT_AddColumn", [&](const TableName& table, const object& command) {
        const object* column = column_definition(command);
        if (column == nullptr || known.has_table(table)) {
            return;
        }
        std::string why;
        for (const boost::json::value& item : tree::list(*column, "constraints")) {
            const object* constraint = tree::node(&item, "Constraint");
            const std::string_view contype = constraint != nullptr ? tree::text(*constraint, "contype") : "";
            if (contype == "CONSTR_DEFAULT") {
                if (const auto* expression = tree::member(*constraint, "raw_expr")) {
                    if (auto call = volatile_call(*expression)) {
                        why = "its DEFAULT " + *call + " is volatile";
                    }
                }
            } else if (contype == "CONSTR_GENERATED") {
                why = "a stored generated column is computed for every row";
            } else if (contype == "CONSTR_IDENTITY") {
                why = "an identity column takes nextval() for every row";
            }
        }
        if (why.empty() && is_serial(*column)) {
            why = "a serial column takes nextval() for every row";
        }
        if (!why.empty()) {
            messages.push_back("adding " + table.quoted() + "." + quote(tree::text(*column, "colname")) +
                               " rewrites the table under ACCESS EXCLUSIVE: " + why +
                               "; add the column without it, then SET DEFAULT and backfill in batches");
        }
    });
}

bool is_concurrent_reindex(const object& reindex) {
    const auto& params = tree::list(reindex, "params");
    return std::any_of(params.begin(), params.end(), [](const boost::json::value& item) {
        const object* option = tree::node(&item, "DefElem");
        return option != nullptr && tree::text(*option, "defname") == "concurrently";
    });
}

void require_concurrent_index_creation(const StatementView& statement, const NewObjects& known,
                                       Messages& messages) {
    if (statement.type != "IndexStmt" || tree::flag(statement.node, "concurrent")) {
        return;
    }
    const object* relation = tree::object_member(statement.node, "relation");
    if (relation != nullptr && !known.has_table(tree::range_var(*relation))) {
        messages.push_back("CREATE INDEX on " + tree::range_var(*relation).quoted() +
                           " blocks writes for the whole build; use CREATE INDEX CONCURRENTLY in a "
                           "transaction:false section");
    }
}

void require_concurrent_index_deletion(const StatementView& statement, const NewObjects& known,
                                       Messages& messages) {
    if (statement.type != "DropStmt" || tree::text(statement.node, "removeType") != "OBJECT_INDEX" ||
        tree::flag(statement.node, "concurrent")) {
        return;
    }
    for (const boost::json::value& item : tree::list(statement.node, "objects")) {
        const object* names = tree::node(&item, "List");
        const TableName index =
            names != nullptr ? tree::qualified_name(tree::list(*names, "items")) : TableName{};
        if (!known.has_index(index)) {
            messages.push_back("DROP INDEX " + index.quoted() +
                               " blocks reads and writes of its table; use DROP INDEX CONCURRENTLY in a "
                               "transaction:false section");
        }
    }
}

void constraint_missing_not_valid(const StatementView& statement, const NewObjects& known,
                                  Messages& messages) {
    for_each_command(statement, "AT_AddConstraint", [&](const TableName& table, const object& command) {
        const object* constraint = added_constraint(command);
        if (constraint == nullptr || known.has_table(table) || tree::flag(*constraint, "skip_validation")) {
            return;
        }
        const std::string_view contype = tree::text(*constraint, "contype");
        if (contype == "CONSTR_CHECK" || contype == "CONSTR_FOREIGN") {
            messages.push_back(std::string(contype == "CONSTR_CHECK" ? "CHECK" : "FOREIGN KEY") +
                               " constraint on " + table.quoted() +
                               " validates every row under a lock that blocks writes; add it NOT VALID, then "
                               "VALIDATE CONSTRAINT in a later migration");
        }
    });
    if (!statement.in_transaction) {
        return;
    }
    for_each_command(statement, "AT_ValidateConstraint", [&](const TableName& table, const object& command) {
        const std::string name(tree::text(command, "name"));
        if (!known.has_table(table) && known.added_not_valid_in_this_migration(table, name)) {
            messages.push_back("VALIDATE CONSTRAINT " + quote(name) +
                               " in the transaction that added it NOT VALID "
                               "keeps that ACCESS EXCLUSIVE lock on " +
                               table.quoted() +
                               " while every row is checked; validate it in a later migration");
        }
    });
}

void disallowed_unique_constraint(const StatementView& statement, const NewObjects& known,
                                  Messages& messages) {
    const auto report = [&](const TableName& table, std::string_view contype) {
        messages.push_back(
            std::string(contype == "CONSTR_UNIQUE" ? "UNIQUE" : "PRIMARY KEY") + " constraint on " +
            table.quoted() +
            " builds its index under ACCESS EXCLUSIVE; build a unique index CONCURRENTLY, then "
            "ADD CONSTRAINT ... USING INDEX");
    };
    const auto builds_index = [](const object& constraint) {
        const std::string_view contype = tree::text(constraint, "contype");
        return (contype == "CONSTR_UNIQUE" || contype == "CONSTR_PRIMARY") &&
               tree::text(constraint, "indexname").empty();
    };
    for_each_command(statement, "AT_AddConstraint", [&](const TableName& table, const object& command) {
        const object* constraint = added_constraint(command);
        if (constraint != nullptr && !known.has_table(table) && builds_index(*constraint)) {
            report(table, tree::text(*constraint, "contype"));
        }
    });
    for_each_command(statement, "AT_AddColumn", [&](const TableName& table, const object& command) {
        const object* column = column_definition(command);
        if (column == nullptr || known.has_table(table)) {
            return;
        }
        for (const boost::json::value& item : tree::list(*column, "constraints")) {
            if (const object* constraint = tree::node(&item, "Constraint");
                constraint && builds_index(*constraint)) {
                report(table, tree::text(*constraint, "contype"));
            }
        }
    });
}

void ban_concurrent_index_creation_in_transaction(const StatementView& statement, const NewObjects&,
                                                  Messages& messages) {
    if (!statement.in_transaction) {
        return;
    }
    std::string_view what;
    if (statement.type == "IndexStmt" && tree::flag(statement.node, "concurrent")) {
        what = "CREATE INDEX CONCURRENTLY";
    } else if (statement.type == "DropStmt" && tree::flag(statement.node, "concurrent")) {
        what = "DROP INDEX CONCURRENTLY";
    } else if (statement.type == "ReindexStmt" && is_concurrent_reindex(statement.node)) {
        what = "REINDEX CONCURRENTLY";
    } else {
        return;
    }
    messages.push_back(std::string(what) +
                       " cannot run inside a transaction and the server refuses it; mark the section "
                       "'-- migrate:up transaction:false'");
}

constexpr std::array table = std::to_array<Rule>({
    {"ban-drop-column", ban_drop_column},
    {"ban-drop-table", ban_drop_table},
    {"renaming-column", renaming_column},
    {"renaming-table", renaming_table},
    {"adding-required-field", adding_required_field},
    {"adding-not-nullable-field", adding_not_nullable_field},
    {"changing-column-type", changing_column_type},
    {"adding-field-with-default", adding_field_with_default},
    {"require-concurrent-index-creation", require_concurrent_index_creation},
    {"require-concurrent-index-deletion", require_concurrent_index_deletion},
    {"constraint-missing-not-valid", constraint_missing_not_valid},
    {"disallowed-unique-constraint", disallowed_unique_constraint},
    {"ban-concurrent-index-creation-in-transaction", ban_concurrent_index_creation_in_transaction},
});

}  // namespace

std::span<const Rule> rules() {
    return table;
}

bool is_rule(std::string_view name) {
    return name == syntax_error_rule ||
           std::any_of(table.begin(), table.end(), [&](const Rule& rule) { return rule.name == name; });
}

}  // namespace pgentry::lint
