#pragma once
// Passwords never reach a log line or an error message.
#include <string>
#include <string_view>
#include <vector>

namespace pgentry::log {

// A libpq URI (postgres://user:secret@host/db?password=x) or key=value conninfo (password='x y')
// with every password value replaced by "****". Works on malformed input too: a URI password may
// hold unencoded '@', '/', ':', '#' or '?' (not "?name=" followed later by '/': that reads as a query
// and a path), and a key matches "password" in any case. When in doubt more is masked, never less.
std::string redact_conninfo(std::string_view conninfo);

// The password values found in conninfo (raw and percent-decoded), for scrubbing other text.
std::vector<std::string> passwords_in(std::string_view conninfo);

// text with every occurrence of each non-empty secret replaced by "****".
std::string scrub(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace pgentry::log
