// The contract between pgentry and pgentry-init (process/init_arguments.hpp): what one side encodes, the
// other decodes to the same value, and pgentry-init refuses what pgentry never writes.
#include "process/init_arguments.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pgentry::process;

namespace {

DecodeError decode_words(const std::vector<std::string>& words, InitArguments& decoded) {
    std::vector<const char*> argv{"pgentry-init"};
    for (const std::string& word : words)
        argv.push_back(word.c_str());
    argv.push_back(nullptr);
    return decode(static_cast<int>(argv.size() - 1), argv.data(), decoded);
}

InitArguments round_trip(const InitArguments& original) {
    InitArguments decoded;
    const DecodeError error = decode_words(encode(original), decoded);
    EXPECT_EQ(error.problem, nullptr) << error.problem << " " << (error.arg ? error.arg : "");
    return decoded;
}

void expect_same(const InitArguments& a, const InitArguments& b) {
    EXPECT_EQ(a.stop_timeout_ms, b.stop_timeout_ms);
    EXPECT_EQ(a.signal_group, b.signal_group);
    EXPECT_EQ(a.log_format, b.log_format);
    EXPECT_EQ(a.log_level, b.log_level);
    EXPECT_EQ(a.command, b.command);
    ASSERT_EQ(a.credentials.has_value(), b.credentials.has_value());
    if (a.credentials) {
        EXPECT_EQ(a.credentials->uid, b.credentials->uid);
        EXPECT_EQ(a.credentials->gid, b.credentials->gid);
        EXPECT_EQ(a.credentials->groups, b.credentials->groups);
        EXPECT_EQ(a.credentials->home, b.credentials->home);
    }
}

}  // namespace

TEST(InitArguments, DefaultsRoundTrip) {
    InitArguments plain;
    plain.command = {"/bin/true"};
    expect_same(round_trip(plain), plain);
}

TEST(InitArguments, EveryFieldRoundTrips) {
    for (const LogFormat format : {LogFormat::text, LogFormat::json}) {
        for (const LogLevel level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
            const InitArguments full{
                .stop_timeout_ms = 1LL << 40,
                .signal_group = true,
                .credentials = Credentials{4294967294u, 10001, {10001, 27, 0}, "/home/app"},
                .log_format = format,
                .log_level = level,
                .command = {"/bin/sh", "-c", "echo --uid=0 -- x", "--", ""}};
            expect_same(round_trip(full), full);
        }
    }
}

TEST(InitArguments, CredentialsWithoutGroupsOrHomeRoundTrip) {
    const InitArguments bare{.credentials = Credentials{1000, 1000, {}, std::nullopt}, .command = {"app"}};
    expect_same(round_trip(bare), bare);
}

TEST(InitArguments, EncodesTheDocumentedOrder) {
    const InitArguments arguments{.stop_timeout_ms = 5000,
                                  .signal_group = true,
                                  .credentials = Credentials{1, 2, {3, 4}, "/h"},
                                  .log_format = LogFormat::json,
                                  .log_level = LogLevel::debug,
                                  .command = {"cmd", "arg"}};
    EXPECT_EQ(encode(arguments),
              (std::vector<std::string>{"--stop-timeout-ms=5000", "--log-format=json", "--log-level=debug",
                                        "--signal-group", "--uid=1", "--gid=2", "--groups=3,4", "--home=/h",
                                        "--", "cmd", "arg"}));
}

TEST(InitArguments, RefusesWhatPgentryNeverWrites) {
    struct Case {
        std::vector<std::string> words;
        std::string problem;
    };
    for (const Case& bad : std::vector<Case>{
             {{"--", "x"}, ""},
             {{"--bogus", "--", "x"}, "unknown option"},
             {{"--stop-timeout-ms=-1", "--", "x"}, "bad value"},
             {{"--stop-timeout-ms=1099511627777", "--", "x"}, "bad value"},
             {{"--uid=4294967295", "--gid=0", "--", "x"}, "bad value"},
             {{"--uid=1", "--gid=1", "--groups=1,,2", "--", "x"}, "bad value"},
             {{"--log-format=xml", "--", "x"}, "bad value"},
             {{"--log-level=trace", "--", "x"}, "bad value"},
             {{"--uid=1", "--", "x"}, "--uid and --gid go together, and --groups and --home need them"},
             {{"--home=/h", "--", "x"}, "--uid and --gid go together, and --groups and --home need them"},
             {{"--stop-timeout-ms=1"}, "no command after"},
             {{"--stop-timeout-ms=1", "--"}, "no command after"},
         }) {
        InitArguments decoded;
        const DecodeError error = decode_words(bad.words, decoded);
        EXPECT_EQ(error.problem ? error.problem : "", bad.problem) << bad.words.front();
    }
}
