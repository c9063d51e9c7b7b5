#pragma once
// The database URL as text, read without libpq: pgentry (the static front) has no libpq, and config
// reports bad option values before anything is parsed. config/ and db::DatabaseUrl depend on this; log/
// does not (a log line is written as given).
//
// What it promises, and nothing more: the password values written in a URL or conninfo text (URI
// userinfo, a password= parameter, and keys that look like one: sslpassword, passwd, pwd, PASSWORD) are
// masked where they stand in that text, and in a message about that text where the message quotes the
// text or a piece of one of those values. It does not search any other text for a password: a short
// password's letters are ordinary words ("app" in "applied"). A password that is not written in the text
// (PGPASSWORD, a .pgpass file, a service file) is never printed by pgentry and is not looked for: libpq
// does not quote it in its messages. tests/fuzz/redact.cpp checks the rendering against libpq's reading.
#include <string>
#include <string_view>
#include <vector>

namespace pgentry::conninfo {

// A libpq URI (postgres://user:secret@host/db?password=x) or key=value conninfo (password='x y')
// with every password value replaced by "****". Works on malformed input too: a URI password may
// hold unencoded '@', '/', ':', '#' or '?' (not "?name=" followed later by '/': that reads as a query
// and a path), and a key matches "password" in any case. When in doubt more is masked, never less.
std::string redact_conninfo(std::string_view conninfo);

// A value a message quotes back (an option's value, an argument, a path): redact_conninfo's rendering, and
// for "--option=VALUE" (a mistyped option, a stray argument) VALUE's. Anything else is returned as it is.
std::string shown(std::string_view value);

// libpq's message about conninfo (it rejected it), which may quote conninfo whole or a piece of it in
// double quotes: conninfo is shown as redact_conninfo shows it, and a quoted piece that stands inside one
// of its passwords (wherever the piece occurs in conninfo) becomes "****". libpq's own words, and pieces
// from elsewhere in conninfo ("port", "abc" of port=abc), stay as they are even if a short password
// spells them.
std::string redact_message(std::string_view message, std::string_view conninfo);

// The password values found in conninfo (raw and percent-decoded), for scrubbing a duration's parse
// error, which quotes part of the value.
std::vector<std::string> passwords_in(std::string_view conninfo);

// text with every occurrence of each non-empty secret replaced by "****". Only for text about the value
// itself: elsewhere a short password's letters are ordinary words ("app" in "applied").
std::string scrub(std::string_view text, const std::vector<std::string>& secrets);

// text without leading and trailing whitespace (a secret made with echo ends in a newline).
std::string trim(std::string_view text);

}  // namespace pgentry::conninfo
