#pragma once
// The fixture of the process-level tests: each test gets a fresh database, an empty migrations directory
// and runs the built pgentry binary against them as a user would.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "cluster.hpp"
#include "database.hpp"
#include "migration_dir.hpp"
#include "process.hpp"

namespace pgentry::test {

using Args = std::vector<std::string>;

// Path of the pgentry binary under test.
std::string pgentry_bin();

class PgentryTest : public ::testing::Test {
protected:
    // pgentry --mode=<mode> --database-url=<db> --migrations-dir=<dir> extra...
    Args command(const std::string& mode, const Args& extra = {}) const {
        return command(db.url(), mode, extra);
    }
    // The same with another database URL.
    Args command(const std::string& url, const std::string& mode, const Args& extra) const;
    RunResult pgentry(const std::string& mode, const Args& extra = {}, const Env& env = {},
                      Clock::duration timeout = 60s) const;
    RunResult migrate(const Args& extra = {}) const { return pgentry("migrate-only", extra); }
    std::unique_ptr<Process> spawn(const std::string& mode, const Args& extra = {},
                                   const Env& env = {}) const;

    TestDatabase db;
    MigrationDir dir;
};

// Passes when text contains needle; the message shows the text otherwise.
::testing::AssertionResult contains(const std::string& text, std::string_view needle);

// The lines of text, without their newlines.
std::vector<std::string> lines(const std::string& text);

// The first line of text containing every needle, or an empty string.
std::string line_with(const std::string& text, std::initializer_list<std::string_view> needles);

}  // namespace pgentry::test
