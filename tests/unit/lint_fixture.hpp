#pragma once
// Migration directories written to a temporary directory and linted the way pgentry lints them: loaded by
// MigrationSet (so sections, lines and markers are the real ones), every file pending.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lint/lint.hpp"

namespace pgentry::lint::testing {

class LintDir {
public:
    LintDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pgentry-lint-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        dir_ = pattern;
    }
    ~LintDir() { std::filesystem::remove_all(dir_); }
    LintDir(const LintDir&) = delete;
    LintDir& operator=(const LintDir&) = delete;

    const std::filesystem::path& path() const { return dir_; }

    void write(const std::string& file_name, const std::string& body) const {
        std::ofstream(dir_ / file_name, std::ios::binary) << body;
    }

    // Every file pending, as one run.
    Findings check_all() const {
        const auto set = migrations::MigrationSet::load(dir_);
        std::set<std::int64_t> pending;
        for (const auto& migration : set.all()) {
            pending.insert(migration.version);
        }
        return check(set, pending);
    }

private:
    std::filesystem::path dir_;
};

// "rule@line:column" for each finding, in order: short to compare, and says what was found where.
inline std::vector<std::string> summary(const Findings& findings) {
    std::vector<std::string> lines;
    for (const Finding& finding : findings) {
        lines.push_back(finding.rule + "@" + std::to_string(finding.line) + ":" +
                        std::to_string(finding.column));
    }
    return lines;
}

// One file "1_m.sql" with body, linted as the only pending migration.
inline std::vector<std::string> lint_one(const std::string& body) {
    const LintDir dir;
    dir.write("1_m.sql", body);
    return summary(dir.check_all());
}

}  // namespace pgentry::lint::testing
