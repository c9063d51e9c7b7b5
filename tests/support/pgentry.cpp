#include "pgentry.hpp"

#include <algorithm>
#include <sstream>

namespace pgentry::test {

std::string pgentry_bin() {
    return PGENTRY_BIN;
}

Args PgentryTest::command(const std::string& url, const std::string& mode, const Args& extra) const {
    Args argv{pgentry_bin(), "--mode=" + mode, "--database-url=" + url, "--migrations-dir=" + dir.str()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
}

RunResult PgentryTest::pgentry(const std::string& mode, const Args& extra, const Env& env,
                               Clock::duration timeout) const {
    return run(command(mode, extra), env, timeout);
}

std::unique_ptr<Process> PgentryTest::spawn(const std::string& mode, const Args& extra,
                                            const Env& env) const {
    return std::make_unique<Process>(command(mode, extra), env);
}

::testing::AssertionResult contains(const std::string& text, std::string_view needle) {
    if (text.find(needle) != std::string::npos) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "\"" << needle << "\" not found in:\n" << text;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        result.push_back(line);
    }
    return result;
}

std::string line_with(const std::string& text, std::initializer_list<std::string_view> needles) {
    for (auto& line : lines(text)) {
        if (std::ranges::all_of(needles,
                                [&](auto needle) { return line.find(needle) != std::string::npos; })) {
            return line;
        }
    }
    return {};
}

}  // namespace pgentry::test
