#pragma once
// Replicas released at the same instant: each command is wrapped in flock(1) waiting for a shared lock
// on a file the gate holds exclusively; release() drops it and every waiter goes at once.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace pgentry::test {

class StartingGate {
public:
    StartingGate();  // the gate file, locked exclusively
    ~StartingGate();
    StartingGate(const StartingGate&) = delete;
    StartingGate& operator=(const StartingGate&) = delete;

    // argv run once the gate opens (flock -s <file> argv...); the exit code is argv's.
    std::vector<std::string> behind(const std::vector<std::string>& argv) const;

    // Waits until `waiters` processes block on the gate (as /proc/locks shows them), then opens it.
    // Throws std::runtime_error when they do not all arrive within timeout.
    void open_when_waiting(int waiters, Clock::duration timeout = 20s);

private:
    std::filesystem::path dir_;
    int fd_ = -1;
};

// Waits for each process until start + timeout and collects what it said; one still running then gets
// exit_code -1 (it is killed when its Process is destroyed). `elapsed` counts from start.
std::vector<RunResult> results_of(const std::vector<std::unique_ptr<Process>>& processes,
                                  Clock::time_point start, Clock::duration timeout);

// Runs every command behind one gate opened once all wait, as replicas booting together. A command still
// running `timeout` after the opening is killed (exit_code -1); `elapsed` counts from the opening.
std::vector<RunResult> run_released_together(const std::vector<std::vector<std::string>>& commands,
                                             Clock::duration timeout);

}  // namespace pgentry::test
