#pragma once
// Before applying: the pending run through the rolling-update lint, as --lint says (SPEC.md "Rolling
// updates", Lint). Called only with something pending, so a boot with nothing to do never parses a statement.
#include <vector>

#include "lint/policy.hpp"
#include "migrations/migration.hpp"

namespace pgentry::pipeline {

// off: nothing. warn: a warning per finding. error: the same warnings, then Error(65) when any finding is a
// hazard (syntax-error findings never are: the server decides), before anything is applied.
void lint_pending(const std::vector<const migrations::Migration*>& pending, lint::Policy policy);

}  // namespace pgentry::pipeline
