#pragma once
// What the lint reports: one rolling-update hazard (or one statement it could not read) at a place in a
// migration file. SPEC.md "Rolling updates", Lint.
#include <filesystem>
#include <string>
#include <vector>

namespace pgentry::lint {

enum class Severity {
    hazard,  // a rule of SPEC's table: --lint=error refuses to apply, --mode=lint exits 1
    note,    // syntax-error: printed (--mode=lint exits 1), never a reason for --lint=error to refuse
};

struct Finding {
    std::string rule;  // squawk's name: "ban-drop-column", ..., or "syntax-error"
    std::filesystem::path file;
    int line = 0;    // 1-based line in the file (not in the section)
    int column = 0;  // 1-based byte column in that line
    std::string message;
    Severity severity = Severity::hazard;
};

using Findings = std::vector<Finding>;

}  // namespace pgentry::lint
