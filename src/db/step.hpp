#pragma once
// What pgentry was doing when the server refused a statement outside a migration's own SQL: the error names
// the step, the SQLSTATE, the server's DETAIL and HINT, and pgentry's hint where the cause is known.
//   reading the history: SQLSTATE 42501: permission denied for table schema_migrations; HINT: grant ...
// Exit 70 (SPEC.md "Exit codes"); the JSON log line carries the sqlstate and step fields.
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "db/connection.hpp"

namespace pgentry::db {

// The steps outside the migrations' own SQL, as the messages name them.
inline constexpr std::string_view reading_history = "reading the history";
inline constexpr std::string_view creating_history = "creating the history table";
inline constexpr std::string_view preparing_session = "preparing the session for migrating";
inline constexpr std::string_view taking_lock = "taking the migration lock";
inline constexpr std::string_view releasing_lock = "releasing the migration lock";

// Error(70, "<step>: SQLSTATE X: message; DETAIL: ...; HINT: ...") with the SQLSTATE and step as context.
Error step_error(std::string_view step, const ServerError& error);

// Runs work(); a QueryError it throws becomes step_error(step, ...). Every other exception passes unchanged
// (Error, Interrupted: those already say what happened).
template <typename Work>
decltype(auto) with_step(std::string_view step, Work&& work) {
    try {
        return work();
    } catch (const QueryError& failure) {
        throw step_error(step, failure.error());
    }
}

}  // namespace pgentry::db
