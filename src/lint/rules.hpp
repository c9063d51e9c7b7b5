#pragma once
// The rules of SPEC.md's Lint table, named as squawk names them: one row (name + check) each.
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "lint/new_objects.hpp"

namespace pgentry::lint {

// One raw statement of a section, as the parser read it.
struct StatementView {
    std::string_view type;            // the node type: "AlterTableStmt", "IndexStmt", ...
    const boost::json::object& node;  // its members
    bool in_transaction;              // the section runs in a transaction (no transaction:false)
};

// A check appends one message per hazard it finds in the statement; known holds what the pending run
// created before this statement.
using RuleCheck = void (*)(const StatementView& statement, const NewObjects& known,
                           std::vector<std::string>& messages);

struct Rule {
    std::string_view name;
    RuleCheck check;
};

// Every rule, in SPEC's order.
std::span<const Rule> rules();

// The name of the finding for a statement the parser rejects (never a reason to refuse).
inline constexpr std::string_view syntax_error_rule = "syntax-error";

// Whether name is a rule of the table (or syntax-error).
bool is_rule(std::string_view name);

}  // namespace pgentry::lint
