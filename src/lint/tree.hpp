#pragma once
// Reading libpg_query's JSON parse tree (PostgreSQL 15's node names: src/include/nodes/parsenodes.h). A
// member the parser leaves out is its default (false, 0, empty), so every accessor has one.
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "lint/new_objects.hpp"

namespace pgentry::lint::tree {

// The members of value when it is the node {"<type>": {...}}; nullptr otherwise.
const boost::json::object* node(const boost::json::value* value, std::string_view type);

// A member's value, or nullptr / "" / false / an empty array when the parser left it out.
const boost::json::value* member(const boost::json::object& object, std::string_view key);
// A member whose type the grammar fixes (a RangeVar "relation", a TypeName "typeName", an IntoClause) is
// the node's members themselves, not wrapped in {"<type>": ...}.
const boost::json::object* object_member(const boost::json::object& object, std::string_view key);
std::string_view text(const boost::json::object& object, std::string_view key);
bool flag(const boost::json::object& object, std::string_view key);
const boost::json::array& list(const boost::json::object& object, std::string_view key);

// The sval of a {"String": {"sval": ...}} node; "" for any other node.
std::string_view string_value(const boost::json::value& value);

// A RangeVar's schema and table; a name list's last two ([catalog.]schema.name, as DROP lists them).
TableName range_var(const boost::json::object& range_var);
TableName qualified_name(const boost::json::array& names);

// The last part of a dotted name list (funcname, a type's names), lower case as the parser keeps it.
std::string_view last_name(const boost::json::array& names);

}  // namespace pgentry::lint::tree
