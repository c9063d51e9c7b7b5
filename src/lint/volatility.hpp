#pragma once
// Whether a column DEFAULT makes ADD COLUMN rewrite the table. Since PostgreSQL 11 a non-volatile default is
// computed once and stored in the catalog ("fast default"); a volatile one is computed per row, which
// rewrites the table under ACCESS EXCLUSIVE.
#include <optional>
#include <string>

#include <boost/json/value.hpp>

namespace pgentry::lint {

// The first function call in a DEFAULT expression that may be volatile ("gen_random_uuid()"), or nullopt
// when every call is a built-in known to be immutable or stable. Without a database the volatility of other
// functions is unknown, and CREATE FUNCTION's default is VOLATILE: they count as volatile.
std::optional<std::string> volatile_call(const boost::json::value& expression);

}  // namespace pgentry::lint
