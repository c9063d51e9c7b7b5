#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "config/options.hpp"

namespace {

using pgentry::config::Duration;
using pgentry::config::parse_duration;
using namespace std::chrono_literals;

struct Valid {
    std::string text;
    Duration expected;
};

TEST(Duration, ParsesEveryUnitAndBareSeconds) {
    // clang-format off
    const Valid cases[] = {
        {"0", 0ms},          {"0ms", 0ms},         {"0s", 0ms},         {"500ms", 500ms},
        {"30s", 30s},        {"30", 30s},          {"2m", 2min},        {"1h", 1h},
        {"007s", 7s},        {"1.5s", 1500ms},     {"0.25m", 15s},      {"2.5h", 150min},
        {"1.000s", 1s},      {"0.001s", 1ms},      {"1.0", 1s},         {"1000000h", 1'000'000h},
    };
    // clang-format on
    for (const Valid& c : cases) {
        EXPECT_EQ(parse_duration(c.text), c.expected) << c.text;
    }
}

TEST(Duration, RejectsMalformedNegativeAndTooLarge) {
    // clang-format off
    const std::string cases[] = {
        "",      "-1",     "-1s",    "-0",       "1x",         "1S",       "s",         "ms",
        "1.s",   ".5s",    "1.5.0s", " 1s",      "1s ",        "1 s",      "+1s",       "1m30s",
        "0.5ms", "1.0001s", "1e3s",  "1,5s",     "99999999999999999999s",  "9223372036854775807ms",
        "2000000000h",     "1.0000000001h",      "sec",        "1sec",
    };
    // clang-format on
    for (const std::string& text : cases) {
        EXPECT_THROW(parse_duration(text), std::invalid_argument) << "'" << text << "'";
    }
}

TEST(Duration, ErrorSaysWhatIsWrong) {
    try {
        parse_duration("30x");
        FAIL() << "no exception";
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("unknown unit 'x'"), std::string::npos) << error.what();
    }
}

}  // namespace
