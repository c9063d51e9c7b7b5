#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <gtest/gtest.h>

extern char** environ;

namespace pgentry::test {
namespace {

std::system_error os_error(const std::string& what) {
    return {errno, std::generic_category(), what};
}

std::array<int, 2> cloexec_pipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw os_error("pipe2");
    }
    return fds;
}

bool inherited_config(std::string_view entry) {
    return entry.starts_with("PGENTRY_") || entry.starts_with("DATABASE_URL=") ||
           entry.starts_with("DATABASE_URL_FILE=");
}

std::vector<std::string> child_environment(const Env& env) {
    std::vector<std::string> result;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto name = text.substr(0, text.find('='));
        if (!inherited_config(text) && !env.contains(std::string(name))) {
            result.emplace_back(text);
        }
    }
    for (const auto& [name, value] : env) {
        result.push_back(name + "=" + value);
    }
    return result;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (auto& s : strings) {
        result.push_back(s.data());
    }
    result.push_back(nullptr);
    return result;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const RunResult& result) {
    return os << "exit code " << result.exit_code << " after " << seconds(result.elapsed) << "\n--- stdout:\n"
              << result.out << "--- stderr:\n"
              << result.err << "---";
}

Process::Process(const std::vector<std::string>& argv, const Env& env) {
    auto out = cloexec_pipe();
    auto err = cloexec_pipe();
    auto stop = cloexec_pipe();
    stop_read_ = stop[0];
    stop_write_ = stop[1];

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    // libpq and gtest descriptors of this process must not reach pgentry (it would see extra sockets).
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t signals;
    sigemptyset(&signals);
    posix_spawnattr_setsigmask(&attr, &signals);
    sigfillset(&signals);
    posix_spawnattr_setsigdefault(&attr, &signals);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    auto args = argv;
    auto environment = child_environment(env);
    auto c_args = c_strings(args);
    auto c_env = c_strings(environment);
    const int rc = ::posix_spawnp(&pid_, c_args[0], &actions, &attr, c_args.data(), c_env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        ::close(stop_read_);
        ::close(stop_write_);
        throw std::system_error(rc, std::generic_category(), "posix_spawnp " + argv.at(0));
    }
    reader_ = std::thread([this, out_fd = out[0], err_fd = err[0]] { read_output(out_fd, err_fd); });
}

Process::~Process() {
    if (!exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    const char byte = 0;
    [[maybe_unused]] auto ignored = ::write(stop_write_, &byte, 1);
    reader_.join();
    ::close(stop_read_);
    ::close(stop_write_);
}

void Process::read_output(int out_fd, int err_fd) {
    std::array<pollfd, 3> fds{{{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {stop_read_, POLLIN, 0}}};
    std::array<std::string*, 2> sinks{&out_, &err_};
    int open = 2;
    while (open > 0) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (fds[2].revents != 0) {
            break;
        }
        for (std::size_t i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            std::array<char, 4096> buffer{};
            const auto n = ::read(fds[i].fd, buffer.data(), buffer.size());
            if (n > 0) {
                const std::lock_guard lock(mutex_);
                sinks[i]->append(buffer.data(), static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;  // poll ignores negative descriptors
                --open;
            }
            changed_.notify_all();
        }
    }
    for (std::size_t i = 0; i < 2; ++i) {
        if (fds[i].fd >= 0) {
            ::close(fds[i].fd);
        }
    }
    const std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
}

void Process::signal(int signo) const {
    if (!exit_code_) {
        ::kill(pid_, signo);
    }
}

int exit_code_of(int wait_status) {
    return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

std::optional<int> reap(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return exit_code_of(status);
        }
        if (r < 0 && errno != EINTR) {
            throw os_error("waitpid");
        }
        if (Clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(1ms);
    }
}

std::optional<int> Process::wait_for(Clock::time_point deadline) {
    if (!exit_code_) {
        exit_code_ = reap(pid_, deadline);
    }
    if (!exit_code_) {
        return std::nullopt;
    }
    // The output is complete once the pipes close; only a grandchild holding them could delay that.
    std::unique_lock lock(mutex_);
    changed_.wait_until(lock, Clock::now() + 2s, [this] { return closed_; });
    return exit_code_;
}

bool Process::wait_for_output(std::string_view needle, Clock::time_point deadline) const {
    std::unique_lock lock(mutex_);
    const auto found = [&] {
        return out_.find(needle) != std::string::npos || err_.find(needle) != std::string::npos;
    };
    changed_.wait_until(lock, deadline, [&] { return found() || closed_; });
    return found();
}

std::string Process::out() const {
    const std::lock_guard lock(mutex_);
    return out_;
}

std::string Process::err() const {
    const std::lock_guard lock(mutex_);
    return err_;
}

RunResult run(const std::vector<std::string>& argv, const Env& env, Clock::duration timeout) {
    const auto start = Clock::now();
    Process process(argv, env);
    RunResult result;
    if (auto code = process.wait_for(start + timeout)) {
        result.exit_code = *code;
    } else {
        process.signal(SIGKILL);
        process.wait_for(Clock::now() + 10s);
        ADD_FAILURE() << argv.at(0) << " still ran after " << seconds(timeout) << ", killed";
    }
    result.elapsed = Clock::now() - start;
    result.out = process.out();
    result.err = process.err();
    return result;
}

std::string seconds(Clock::duration d) {
    std::array<char, 32> text{};
    std::snprintf(text.data(), text.size(), "%.1f s", std::chrono::duration<double>(d).count());
    return text.data();
}

}  // namespace pgentry::test
