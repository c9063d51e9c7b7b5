// The migration files read beside the event loop: the set, or the error, and a bad file ends a wait in the
// loop at once (pgentry-migrator's wait for an unreachable database).
#include "pipeline/read_ahead.hpp"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "migration_dir.hpp"

namespace pgentry::pipeline {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(ReadAhead, GetGivesEveryFileOfTheListing) {
    test::MigrationDir dir;
    dir.write("1_a.sql", "SELECT 1;\n");
    dir.write("2_b.sql", "SELECT 2;\n");
    const auto directory = migrations::MigrationDirectory::open(dir.path());
    db::EventLoop loop;
    ReadAhead files(&directory, loop);
    ASSERT_EQ(files.get().all().size(), 2U);
    EXPECT_EQ(files.get().all().back().up.sql, "SELECT 2;\n");
}

TEST(ReadAhead, NothingToReadIsAnEmptySet) {
    db::EventLoop loop;
    ReadAhead files(nullptr, loop);
    EXPECT_TRUE(files.get().all().empty());
}

// Without the interruption the sleep would last its whole minute.
TEST(ReadAhead, ABadFileEndsTheLoopsWaitWithItsError) {
    test::MigrationDir dir;
    dir.write("1_a.sql", "-- migrate:up\n-- migrate:sideways\n");
    const auto directory = migrations::MigrationDirectory::open(dir.path());
    db::EventLoop loop;
    ReadAhead files(&directory, loop);
    const auto start = Clock::now();
    try {
        loop.sleep_until(start + 60s);
        ADD_FAILURE() << "the wait ended without the file's error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), exit_code::invalid_set);
        EXPECT_TRUE(std::string(e.what()).find("unknown marker") != std::string::npos) << e.what();
    }
    EXPECT_LT(Clock::now() - start, 10s);
    EXPECT_THROW(files.get(), Error);
}

TEST(EventLoop, AnInterruptionBeforeTheWaitIsThrownByIt) {
    db::EventLoop loop;
    loop.interrupt(std::make_exception_ptr(std::runtime_error("stop there")));
    const auto start = Clock::now();
    EXPECT_THROW(loop.sleep_until(start + 60s), std::runtime_error);
    EXPECT_LT(Clock::now() - start, 10s);
    // Thrown once: the next wait runs to its deadline.
    EXPECT_EQ(loop.sleep_until(Clock::now() + 1ms), db::EventLoop::Wake::timeout);
}

}  // namespace
}  // namespace pgentry::pipeline
