#include "starting_gate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "migration_dir.hpp"

namespace pgentry::test {
namespace {

// Processes blocked on a lock of the file with this inode: /proc/locks lines "N: -> FLOCK ... MAJ:MIN:INODE".
int blocked_on(ino_t inode) {
    std::ifstream locks("/proc/locks");
    // fmt, not ":" + std::string: GCC 12 warns falsely (-Wrestrict at -O3) on the concatenation.
    const std::string suffix = fmt::format(":{}", inode);
    int count = 0;
    for (std::string line; std::getline(locks, line);) {
        if (line.find("->") == std::string::npos) {
            continue;
        }
        std::istringstream fields(line);
        for (std::string field; fields >> field;) {
            if (field.size() > suffix.size() && field.ends_with(suffix)) {
                ++count;
            }
        }
    }
    return count;
}

}  // namespace

StartingGate::StartingGate() : dir_(make_temp_dir("pgentry-gate-")) {
    fd_ = ::open((dir_ / "gate").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) {
        throw std::system_error(errno, std::generic_category(), "locking " + (dir_ / "gate").string());
    }
}

StartingGate::~StartingGate() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::vector<std::string> StartingGate::behind(const std::vector<std::string>& argv) const {
    // The shell execs argv once through the gate, so that the Process's pid is argv's own.
    std::vector<std::string> wrapped{"sh", "-c", "flock --shared \"$0\" true && exec \"$@\"",
                                     (dir_ / "gate").string()};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    return wrapped;
}

void StartingGate::open_when_waiting(int waiters, Clock::duration timeout) {
    struct stat file {};
    if (::fstat(fd_, &file) != 0) {
        throw std::system_error(errno, std::generic_category(), "fstat gate");
    }
    if (!eventually([&] { return blocked_on(file.st_ino) >= waiters; }, timeout)) {
        throw std::runtime_error("only " + std::to_string(blocked_on(file.st_ino)) + " of " +
                                 std::to_string(waiters) + " processes reached the starting gate");
    }
    ::flock(fd_, LOCK_UN);
}

std::vector<RunResult> results_of(const std::vector<std::unique_ptr<Process>>& processes,
                                  Clock::time_point start, Clock::duration timeout) {
    std::vector<RunResult> results;
    for (const auto& process : processes) {
        RunResult result;
        result.exit_code = process->wait_for(start + timeout).value_or(-1);
        result.elapsed = Clock::now() - start;
        result.out = process->out();
        result.err = process->err();
        results.push_back(std::move(result));
    }
    return results;
}

std::vector<RunResult> run_released_together(const std::vector<std::vector<std::string>>& commands,
                                             Clock::duration timeout) {
    StartingGate gate;
    std::vector<std::unique_ptr<Process>> processes;
    for (const auto& argv : commands) {
        processes.push_back(std::make_unique<Process>(gate.behind(argv)));
    }
    gate.open_when_waiting(static_cast<int>(commands.size()));
    return results_of(processes, Clock::now(), timeout);
}

}  // namespace pgentry::test
