// pgentry-init exits with the command's code, 128+S when signal S killed it, 126/127 when it cannot start.
#include <sys/stat.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "harness.hpp"

namespace pid1 {
namespace {

class ExitCode : public Pid1Test, public ::testing::WithParamInterface<int> {};

TEST_P(ExitCode, PassesThrough) {
    Init init(dir_, {}, probe({"exit=" + std::to_string(GetParam())}));
    EXPECT_EQ(init.wait_exit(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(Codes, ExitCode, ::testing::Values(0, 1, 2, 3, 127, 254, 255));

class KilledBy : public Pid1Test, public ::testing::WithParamInterface<int> {};

TEST_P(KilledBy, ExitsWith128PlusTheSignal) {
    Init init(dir_, {}, probe({"kill-self=" + std::to_string(GetParam())}));
    EXPECT_EQ(init.wait_exit(), 128 + GetParam());
}

INSTANTIATE_TEST_SUITE_P(Signals, KilledBy, ::testing::Values(SIGTERM, SIGHUP, SIGQUIT, SIGKILL),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

TEST_F(Pid1Test, NotExecutableIs126) {
    const std::string script = dir_ + "/not-executable";
    std::ofstream(script) << "#!/bin/sh\nexit 0\n";
    chmod(script.c_str(), 0644);
    Init init(dir_, {}, {script});
    EXPECT_EQ(init.wait_exit(), 126);
    EXPECT_EQ(init.log(), "[error] pgentry: cannot run '" + script + "': Permission denied\n");
}

// The command starts before pgentry execs pgentry-init; should that exec fail, the command must not go on
// running unsupervised.
TEST_F(Pid1Test, PgentryInitThatCannotRunLeavesNoCommandBehind) {
    if (!through_pgentry()) {
        GTEST_SKIP() << "pgentry's hand-over: run by the launch-only registration";
    }
    const std::string bin = dir_ + "/bin";
    std::filesystem::create_directories(bin + "/pgentry-init");  // a directory: access(X_OK) yes, exec no
    std::filesystem::copy_file(pgentry_bin(), bin + "/pgentry");
    const std::string marker = "31.41592";  // names this test's sleep among every process on the machine
    Init init(dir_, {"--mode=launch-only"}, {"sleep", marker},
              {.pid_namespace = false, .init = bin + "/pgentry"});
    EXPECT_EQ(init.wait_exit(), 126);
    EXPECT_EQ(init.log(), "[error] cannot run " + bin + "/pgentry-init: Permission denied\n");
    EXPECT_EQ(count_processes_with_argument(marker), 0);
}

// pgentry finds its helpers in ../libexec/pgentry (the installed layout) before its own directory (a build
// tree): here the one next to it is a directory, which cannot run, so exit code 3 proves the other ran.
TEST_F(Pid1Test, PgentryInitIsFoundInTheInstalledLayoutFirst) {
    if (!through_pgentry()) {
        GTEST_SKIP() << "pgentry's hand-over: run by the launch-only registration";
    }
    const std::string bin = dir_ + "/bin";
    const std::string libexec = dir_ + "/libexec/pgentry";
    std::filesystem::create_directories(bin + "/pgentry-init");
    std::filesystem::create_directories(libexec);
    std::filesystem::copy_file(pgentry_bin(), bin + "/pgentry");
    std::filesystem::copy_file(init_bin(), libexec + "/pgentry-init");
    Init init(dir_, {"--mode=launch-only"}, probe({"exit=3"}),
              {.pid_namespace = false, .init = bin + "/pgentry"});
    EXPECT_EQ(init.wait_exit(), 3);
    EXPECT_EQ(init.log(), "");
}

TEST_F(Pid1Test, PgentryInitMissingIs127AndStartsNothing) {
    if (!through_pgentry()) {
        GTEST_SKIP() << "pgentry's hand-over: run by the launch-only registration";
    }
    const std::string bin = dir_ + "/bin";
    std::filesystem::create_directories(bin);
    std::filesystem::copy_file(pgentry_bin(), bin + "/pgentry");
    const std::string marker = "27.18281";
    Init init(dir_, {"--mode=launch-only"}, {"sleep", marker},
              {.pid_namespace = false, .init = bin + "/pgentry"});
    EXPECT_EQ(init.wait_exit(), 127);
    EXPECT_EQ(init.log(), "[error] pgentry-init not found in " + bin + "/../libexec/pgentry or next to " +
                              bin + "/pgentry\n");
    EXPECT_EQ(count_processes_with_argument(marker), 0);
}

// A helper looks for its siblings next to itself only: the message names no ../libexec/pgentry under libexec.
TEST_F(Pid1Test, PgentryInitMissingBesidePgentryMigratorIs127) {
    if (!through_pgentry()) {
        GTEST_SKIP() << "pgentry's hand-over: run by the launch-only registration";
    }
    const std::string bin = dir_ + "/bin";
    const std::string libexec = dir_ + "/libexec/pgentry";
    std::filesystem::create_directories(bin);
    std::filesystem::create_directories(libexec);
    std::filesystem::copy_file(pgentry_bin(), bin + "/pgentry");
    std::filesystem::copy_file(std::filesystem::path(pgentry_bin()).replace_filename("pgentry-migrator"),
                               libexec + "/pgentry-migrator");
    const std::string marker = "16.18033";
    // --user: pgentry-migrator does the name lookup, then looks for pgentry-init.
    Init init(dir_, {"--mode=launch-only", "--user=root"}, {"sleep", marker},
              {.pid_namespace = false, .init = bin + "/pgentry"});
    EXPECT_EQ(init.wait_exit(), 127);
    EXPECT_EQ(init.log(), "[error] pgentry-init not found next to " + libexec + "/pgentry-migrator\n");
    EXPECT_EQ(count_processes_with_argument(marker), 0);
}

TEST_F(Pid1Test, NotFoundInPathIs127) {
    Init init(dir_, {}, {"pgentry-no-such-command"});
    EXPECT_EQ(init.wait_exit(), 127);
    EXPECT_EQ(init.log(),
              "[error] pgentry: cannot run 'pgentry-no-such-command': No such file or directory\n");
}

TEST_F(Pid1Test, JsonErrorLineIsOneEscapedObject) {
    Init init(dir_, {"--log-format=json"}, {"/nonexistent/a\"b\\c\td"});
    EXPECT_EQ(init.wait_exit(), 127);
    const std::regex line(
        R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"error",)"
        R"("msg":"pgentry: cannot run '/nonexistent/a\\"b\\\\c\\u0009d': No such file or directory"\}\n)");
    EXPECT_TRUE(std::regex_match(init.log(), line)) << init.log();
}

TEST_F(Pid1Test, UsageErrorIs64) {
    if (through_pgentry()) {
        GTEST_SKIP() << "pgentry-init's own argument decoding (pgentry's: the bad-input table)";
    }
    Init init(dir_, {"--stop-timeout-ms=soon"}, probe({"exit=0"}));
    EXPECT_EQ(init.wait_exit(), 64);
    EXPECT_EQ(init.log(), "[error] pgentry-init: bad value '--stop-timeout-ms=soon'\n");
}

}  // namespace
}  // namespace pid1
