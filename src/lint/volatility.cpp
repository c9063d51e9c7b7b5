#include "lint/volatility.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "lint/tree.hpp"

namespace pgentry::lint {
namespace {

// Built-ins that are immutable or stable (pg_proc.provolatile 'i' or 's' in PostgreSQL 15) and common in
// defaults. now() and its kin are stable: evaluated once by ALTER TABLE, so no rewrite.
constexpr std::array non_volatile_functions = std::to_array<std::string_view>({
    "abs",
    "array_fill",
    "btrim",
    "ceil",
    "char_length",
    "concat",
    "concat_ws",
    "current_schema",
    "current_setting",
    "date_part",
    "date_trunc",
    "extract",
    "floor",
    "json_build_array",
    "json_build_object",
    "jsonb_build_array",
    "jsonb_build_object",
    "left",
    "length",
    "lower",
    "ltrim",
    "make_date",
    "make_interval",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "md5",
    "now",
    "replace",
    "right",
    "round",
    "rtrim",
    "statement_timestamp",
    "substr",
    "substring",
    "timezone",
    "to_char",
    "to_date",
    "to_json",
    "to_jsonb",
    "to_number",
    "to_timestamp",
    "transaction_timestamp",
    "trim",
    "upper",
});

bool is_non_volatile(std::string_view function) {
    return std::find(non_volatile_functions.begin(), non_volatile_functions.end(), function) !=
           non_volatile_functions.end();
}

std::optional<std::string> find_volatile_call(const boost::json::value& value) {
    if (const boost::json::object* call = tree::node(&value, "FuncCall")) {
        const auto& names = tree::list(*call, "funcname");
        const std::string_view name = tree::last_name(names);
        // A name in another schema than pg_catalog is a user's function, whatever it is called.
        const bool built_in = names.size() == 1 || tree::string_value(names.front()) == "pg_catalog";
        if (!built_in || !is_non_volatile(name)) {
            return std::string(name) + "()";
        }
    }
    if (value.is_object()) {
        for (const auto& member : value.as_object()) {
            if (auto found = find_volatile_call(member.value())) {
                return found;
            }
        }
    } else if (value.is_array()) {
        for (const boost::json::value& item : value.as_array()) {
            if (auto found = find_volatile_call(item)) {
                return found;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> volatile_call(const boost::json::value& expression) {
    return find_volatile_call(expression);
}

}  // namespace pgentry::lint
