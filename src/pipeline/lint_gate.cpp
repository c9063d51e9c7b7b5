#include "pipeline/lint_gate.hpp"

#include <string>

#include "common/error.hpp"
#include "lint/lint.hpp"

namespace pgentry::pipeline {

void lint_pending(const std::vector<const migrations::Migration*>& pending, lint::Policy policy) {
    if (policy == lint::Policy::off) {
        return;
    }
    const lint::Findings findings = lint::check_run(pending);
    lint::log_findings(findings);
    if (policy == lint::Policy::error && lint::refuses(findings)) {
        throw Error(exit_code::invalid_set,
                    "--lint=error: the pending migrations have rolling-update hazards (the warnings above); "
                    "nothing was applied. Change them, accept one with a '-- pgentry:allow RULE' comment, "
                    "or use --lint=warn");
    }
}

}  // namespace pgentry::pipeline
