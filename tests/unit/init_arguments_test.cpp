// The contract between pgentry and pgentry-init (process/init_arguments.hpp): what one side encodes, the
// other decodes to the same value, and pgentry-init refuses what pgentry never writes.
#include "process/init_arguments.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using namespace pgentry::process;

namespace {

// An argv that lives as long as the test: words, then nullptr.
struct Argv {
    explicit Argv(std::vector<std::string> all) : words(std::move(all)) {
        for (std::string& word : words) {
            pointers.push_back(word.data());
        }
        pointers.push_back(nullptr);
    }
    std::vector<std::string> words;
    std::vector<char*> pointers;
};

std::vector<std::string> words_of(char* const* argv) {
    std::vector<std::string> words;
    for (; argv != nullptr && *argv != nullptr; ++argv) {
        words.emplace_back(*argv);
    }
    return words;
}

DecodeError decode_words(const Argv& argv, InitArguments& decoded) {
    return decode(static_cast<int>(argv.pointers.size() - 1), argv.pointers.data(), decoded);
}

void expect_round_trip(const InitArguments& original) {
    const Argv encoded([&] {
        std::vector<std::string> words = encode(original);
        words.insert(words.begin(), "pgentry-init");
        return words;
    }());
    InitArguments decoded;
    const DecodeError error = decode_words(encoded, decoded);
    ASSERT_EQ(error.problem, nullptr) << error.problem << " " << (error.arg ? error.arg : "");
    EXPECT_EQ(decoded.stop_timeout_ms, original.stop_timeout_ms);
    EXPECT_EQ(decoded.signal_group, original.signal_group);
    EXPECT_EQ(decoded.log_format, original.log_format);
    EXPECT_EQ(decoded.log_level, original.log_level);
    EXPECT_EQ(words_of(decoded.command), words_of(original.command));
    EXPECT_EQ(decoded.command_pid, original.command_pid);
    EXPECT_EQ(decoded.exec_report_fd, original.exec_report_fd);
    ASSERT_EQ(decoded.credentials.has_value(), original.credentials.has_value());
    if (original.credentials) {
        const Credentials& a = *decoded.credentials;
        const Credentials& b = *original.credentials;
        EXPECT_EQ(a.uid, b.uid);
        EXPECT_EQ(a.gid, b.gid);
        EXPECT_EQ(std::vector<gid_t>(a.groups.begin(), a.groups.end()),
                  std::vector<gid_t>(b.groups.begin(), b.groups.end()));
        EXPECT_EQ(a.home == nullptr, b.home == nullptr);
        if (a.home && b.home) {
            EXPECT_STREQ(a.home, b.home);
        }
        // decode's group array is pgentry-init's for its whole life, never freed there; a test decodes many.
        std::free(const_cast<gid_t*>(a.groups.data()));
    }
}

}  // namespace

TEST(InitArguments, DefaultsRoundTrip) {
    const Argv command({"/bin/true"});
    InitArguments plain;
    plain.command = command.pointers.data();
    expect_round_trip(plain);
}

TEST(InitArguments, EveryFieldRoundTrips) {
    const Argv command({"/bin/sh", "-c", "echo --uid=0 -- x", "--", ""});
    const gid_t groups[] = {10001, 27, 0};
    for (const LogFormat format : {LogFormat::text, LogFormat::json}) {
        for (const LogLevel level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
            expect_round_trip({.stop_timeout_ms = 1LL << 40,
                               .signal_group = true,
                               .credentials = Credentials{4294967294u, 10001, groups, "/home/app"},
                               .log_format = format,
                               .log_level = level,
                               .command = command.pointers.data()});
        }
    }
}

TEST(InitArguments, CredentialsWithoutGroupsOrHomeRoundTrip) {
    const Argv command({"app"});
    InitArguments bare;
    bare.credentials = Credentials{1000, 1000, {}, nullptr};
    bare.command = command.pointers.data();
    expect_round_trip(bare);
}

TEST(InitArguments, AStartedCommandsPidRoundTrips) {
    const Argv command({"app", "--port=80"});
    for (const pid_t pid : {1, 4194304, 2147483647}) {
        InitArguments adopting;
        adopting.stop_timeout_ms = 2000;
        adopting.command = command.pointers.data();
        adopting.command_pid = pid;
        adopting.exec_report_fd = 3;
        expect_round_trip(adopting);
    }
}

TEST(InitArguments, EncodesTheDocumentedOrder) {
    const Argv command({"cmd", "arg"});
    const gid_t groups[] = {3, 4};
    EXPECT_EQ(encode({.stop_timeout_ms = 5000,
                      .signal_group = true,
                      .credentials = Credentials{1, 2, groups, "/h"},
                      .log_format = LogFormat::json,
                      .log_level = LogLevel::debug,
                      .command = command.pointers.data()}),
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
             {{"--stop-timeout-ms=18446744073709551616", "--", "x"}, "bad value"},  // past 64 bits
             {{"--stop-timeout-ms=+5", "--", "x"}, "bad value"},                    // strtoull took these
             {{"--stop-timeout-ms= 5", "--", "x"}, "bad value"},
             {{"--stop-timeout-ms=5ms", "--", "x"}, "bad value"},
             {{"--stop-timeout-ms=", "--", "x"}, "bad value"},
             {{"--uid=4294967295", "--gid=0", "--", "x"}, "bad value"},
             {{"--uid=1", "--gid=1", "--groups=1,,2", "--", "x"}, "bad value"},
             {{"--log-format=xml", "--", "x"}, "bad value"},
             {{"--log-level=trace", "--", "x"}, "bad value"},
             {{"--uid=1", "--", "x"}, "--uid and --gid go together, and --groups and --home need them"},
             {{"--home=/h", "--", "x"}, "--uid and --gid go together, and --groups and --home need them"},
             {{"--command-pid=0", "--exec-report-fd=3", "--", "x"}, "bad value"},
             {{"--command-pid=2147483648", "--exec-report-fd=3", "--", "x"}, "bad value"},
             {{"--command-pid=-5", "--exec-report-fd=3", "--", "x"}, "bad value"},
             {{"--command-pid=7", "--exec-report-fd=-1", "--", "x"}, "bad value"},
             {{"--command-pid=7", "--", "x"}, "--command-pid and --exec-report-fd go together"},
             {{"--exec-report-fd=3", "--", "x"}, "--command-pid and --exec-report-fd go together"},
             {{"--command-pid=7", "--exec-report-fd=3", "--uid=1", "--gid=1", "--", "x"},
              "--command-pid runs no command, so --uid and --gid cannot apply"},
             {{"--stop-timeout-ms=1"}, "no command after"},
             {{"--stop-timeout-ms=1", "--"}, "no command after"},
         }) {
        std::vector<std::string> words = bad.words;
        words.insert(words.begin(), "pgentry-init");
        InitArguments decoded;
        const DecodeError error = decode_words(Argv(words), decoded);
        EXPECT_EQ(error.problem ? error.problem : "", bad.problem) << bad.words.front();
    }
}
