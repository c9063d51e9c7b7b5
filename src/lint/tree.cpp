#include "lint/tree.hpp"

namespace pgentry::lint::tree {

const boost::json::object* node(const boost::json::value* value, std::string_view type) {
    if (value == nullptr || !value->is_object()) {
        return nullptr;
    }
    const boost::json::value* inner = value->as_object().if_contains(type);
    return inner != nullptr && inner->is_object() ? &inner->as_object() : nullptr;
}

const boost::json::value* member(const boost::json::object& object, std::string_view key) {
    return object.if_contains(key);
}

const boost::json::object* object_member(const boost::json::object& object, std::string_view key) {
    const boost::json::value* value = object.if_contains(key);
    return value != nullptr && value->is_object() ? &value->as_object() : nullptr;
}

std::string_view text(const boost::json::object& object, std::string_view key) {
    const boost::json::value* value = object.if_contains(key);
    return value != nullptr && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

bool flag(const boost::json::object& object, std::string_view key) {
    const boost::json::value* value = object.if_contains(key);
    return value != nullptr && value->is_bool() && value->as_bool();
}

const boost::json::array& list(const boost::json::object& object, std::string_view key) {
    static const boost::json::array empty;
    const boost::json::value* value = object.if_contains(key);
    return value != nullptr && value->is_array() ? value->as_array() : empty;
}

std::string_view string_value(const boost::json::value& value) {
    const boost::json::object* string = node(&value, "String");
    return string != nullptr ? text(*string, "sval") : std::string_view();
}

TableName range_var(const boost::json::object& range_var) {
    return {std::string(text(range_var, "schemaname")), std::string(text(range_var, "relname"))};
}

TableName qualified_name(const boost::json::array& names) {
    if (names.empty()) {
        return {};
    }
    TableName name{"", std::string(string_value(names.back()))};
    if (names.size() >= 2) {
        name.schema = string_value(names[names.size() - 2]);
    }
    return name;
}

std::string_view last_name(const boost::json::array& names) {
    return names.empty() ? std::string_view() : string_value(names.back());
}

}  // namespace pgentry::lint::tree
