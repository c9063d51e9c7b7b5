#pragma once
// The rolling-update lint (SPEC.md "Rolling updates", Lint): pending migrations in, findings out. Only
// analysis: the text sent to the server is never changed, and nothing here talks to a database.
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "config/options.hpp"
#include "lint/finding.hpp"
#include "migrations/migration_set.hpp"

namespace pgentry::lint {

// The up sections of the migrations of set whose version is in pending, in version order, as one run: what
// an earlier statement of the run creates is new for the later ones. Findings in file order, then line, then
// column; a "-- pgentry:allow" comment removes what it accepts. Never throws on bad SQL (a syntax-error
// finding instead). Calls the parser only for pending migrations: none pending, no cost.
Findings check(const migrations::MigrationSet& set, const std::set<std::int64_t>& pending);

// The same for a run given as its migrations, in the order they apply (what check and a fuzzer call).
Findings check_run(const std::vector<const migrations::Migration*>& run);

// Every file's up section, each file as a run of its own (--mode=lint: without a database nothing tells which
// migrations the deployed release already has, so each file is judged as the one being rolled out).
Findings check_each(const migrations::MigrationSet& set);

// Whether --lint=error refuses to apply: any finding but syntax-error.
bool refuses(const Findings& findings);

// "FILE:LINE:COL: RULE: MESSAGE", and the JSON object {"file","line","column","rule","msg"}.
std::string to_text(const Finding& finding);
boost::json::object to_json(const Finding& finding);

// --lint=warn|error before applying: logs each finding as a warning (JSON fields file, line, column, rule).
void log_findings(const Findings& findings);

// --mode=lint: check_each, one finding per line on out (text, or one JSON object per line), then the exit
// code: 0 when nothing was found, 1 when something was (a syntax-error too: only --lint=error never refuses
// for one). Throws what MigrationSet::load throws for a bad set (65, 66).
int run_lint_mode(const std::filesystem::path& migrations_dir, config::LogFormat format, std::ostream& out);

}  // namespace pgentry::lint
