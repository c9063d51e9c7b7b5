#include "harness.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "migration_dir.hpp"

namespace pid1 {
namespace {

std::string real_path(const std::string& path) {
    char resolved[PATH_MAX];
    return realpath(path.c_str(), resolved) != nullptr ? resolved : path;
}

std::string exe_of(pid_t pid) {
    char target[PATH_MAX] = {};
    const std::string link = "/proc/" + std::to_string(pid) + "/exe";
    return readlink(link.c_str(), target, sizeof target - 1) > 0 ? target : "";
}

std::string status_field(pid_t pid, const std::string& field) {
    std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with(field + ":")) {
            return line.substr(line.find_first_not_of(" \t", field.size() + 1));
        }
    }
    return "";
}

// pgentry-init blocks everything it can (all but KILL, STOP and glibc's internal 32 and 33) before it forks
// the command. While it waits in sigtimedwait, SigBlk shows the waited-for signals unblocked; they still
// queue.
bool has_blocked_its_signals(pid_t pid) {
    if (child_of(pid) > 0) {
        return true;
    }
    const std::string blocked = status_field(pid, "SigBlk");
    if (blocked.empty()) {
        return false;
    }
    auto bit = [](int sig) { return 1ULL << (sig - 1); };
    const unsigned long long expected = ~(bit(SIGKILL) | bit(SIGSTOP) | bit(32) | bit(33));
    return (std::stoull(blocked, nullptr, 16) & expected) == expected;
}

// pgentry-init's flags as pgentry's options: the same meaning, pgentry's spelling.
std::vector<std::string> as_pgentry_options(const std::vector<std::string>& init_args) {
    std::vector<std::string> options{pgentry_bin(), "--mode=launch-only"};
    for (const std::string& arg : init_args) {
        constexpr std::string_view stop_timeout = "--stop-timeout-ms=";
        options.push_back(arg.starts_with(stop_timeout)
                              ? "--stop-timeout=" + arg.substr(stop_timeout.size()) + "ms"
                              : arg);  // --signal-group, --log-format, --log-level: the same
    }
    return options;
}

[[noreturn]] void exec_launcher(const std::string& dir, const std::vector<std::string>& args,
                                const Launch& launch) {
    const int log = open((dir + "/log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
    dup2(log, STDERR_FILENO);
    if (!launch.terminal) {
        setpgid(0, 0);
        const int report = open((dir + "/report").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0666);
        dup2(report, STDOUT_FILENO);
        const int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
    }
    if (launch.extra_fd) {
        dup2(log, 7);
    }
    if (launch.user &&
        (setgroups(0, nullptr) != 0 || setgid(*launch.user) != 0 || setuid(*launch.user) != 0)) {
        _exit(121);
    }
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGUSR2, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    sigset_t some;
    sigemptyset(&some);
    sigaddset(&some, SIGQUIT);
    sigaddset(&some, SIGTSTP);
    sigprocmask(SIG_SETMASK, &some, nullptr);
    std::vector<char*> argv;
    for (const std::string& arg : args) {
        argv.push_back(const_cast<char*>(arg.c_str()));
    }
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(120);
}

}  // namespace

std::string init_bin() {
    return PGENTRY_INIT_BIN;
}
std::string pgentry_bin() {
    return PGENTRY_BIN;
}
std::string probe_bin() {
    return PID1_PROBE_BIN;
}

bool through_pgentry() {
    const char* through = std::getenv("PID1_THROUGH");
    return through != nullptr && std::string_view(through) == "pgentry";
}

std::vector<std::string> probe(std::vector<std::string> steps) {
    steps.insert(steps.begin(), probe_bin());
    return steps;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

int count_processes_with_argument(const std::string& word) {
    const std::string nul(1, '\0');
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string arguments = nul + read_file(entry.path().string() + "/cmdline");  // NUL-terminated
        count += arguments.find(nul + word + nul) != std::string::npos ? 1 : 0;
    }
    return count;
}

pid_t child_of(pid_t parent) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename();
        if (std::isdigit(static_cast<unsigned char>(name[0])) &&
            status_field(std::stoi(name), "PPid") == std::to_string(parent)) {
            return std::stoi(name);
        }
    }
    return -1;
}

char process_state(pid_t pid) {
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const std::size_t name_end = stat.rfind(')');
    return name_end != std::string::npos && name_end + 2 < stat.size() ? stat[name_end + 2] : '?';
}

bool wait_for_state(pid_t pid, char state, bool is, std::chrono::milliseconds timeout) {
    return pgentry::test::eventually([&] { return (process_state(pid) == state) == is; }, timeout, 1ms);
}

int count_of(const std::string& text, const std::string& needle) {
    int count = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

Init::Init(const std::string& dir, const std::vector<std::string>& init_args,
           const std::vector<std::string>& command, Launch launch)
    : dir_(dir), launch_(launch) {
    std::vector<std::string> args;
    if (launch.pid_namespace) {
        args = {"unshare", "--pid", "--fork", "--mount-proc"};
    }
    args.insert(args.end(), launch.wrapper.begin(), launch.wrapper.end());
    if (through_pgentry() && launch.init == init_bin()) {
        const std::vector<std::string> options = as_pgentry_options(init_args);
        args.insert(args.end(), options.begin(), options.end());
    } else {
        args.push_back(launch.init);
        args.insert(args.end(), init_args.begin(), init_args.end());
    }
    args.push_back("--");
    args.insert(args.end(), command.begin(), command.end());
    launcher_ = launch.terminal ? forkpty(&master_, nullptr, nullptr, nullptr) : fork();
    if (launcher_ == 0) {
        exec_launcher(dir, args, launch);
    }
    if (launcher_ < 0) {
        ADD_FAILURE() << "fork: " << std::strerror(errno);
    }
}

Init::~Init() {
    if (launcher_ > 0 && !exit_code_) {
        kill(-launcher_, SIGKILL);
        waitpid(launcher_, nullptr, 0);
    }
    if (master_ >= 0) {
        close(master_);
    }
}

pid_t Init::pid() {
    const std::string init = real_path(launch_.init);
    const auto started = [&] {
        const pid_t candidate = launch_.pid_namespace ? child_of(launcher_) : launcher_;
        if (candidate > 0 && exe_of(candidate) == init && has_blocked_its_signals(candidate)) {
            init_ = candidate;
        }
        return init_ > 0;
    };
    pgentry::test::eventually(started, 10s, 200us);
    return init_;
}

pid_t Init::command_pid() {
    const pid_t init = pid();
    pid_t command = -1;
    pgentry::test::eventually([&] { return init > 0 && (command = child_of(init)) > 0; }, 10s, 200us);
    return command;
}

void Init::signal(int sig) {
    const pid_t target = pid();
    ASSERT_GT(target, 0) << "pgentry-init did not start";
    ASSERT_EQ(kill(target, sig), 0) << std::strerror(errno);
}

std::optional<int> Init::wait_exit(std::chrono::milliseconds timeout) {
    if (!exit_code_) {
        exit_code_ = pgentry::test::reap(launcher_, Clock::now() + timeout);
    }
    return exit_code_;
}

bool Init::wait_for_line(const std::string& line, std::chrono::milliseconds timeout) const {
    return pgentry::test::eventually([&] { return has_line(report(), line); }, timeout, 1ms);
}

bool Init::wait_for_log_line(const std::string& line, std::chrono::milliseconds timeout) const {
    return pgentry::test::eventually([&] { return has_line(log(), line); }, timeout, 1ms);
}

void Pid1Test::SetUp() {
    if (geteuid() != 0) {
        GTEST_SKIP() << "needs root: pgentry-init runs as PID 1 of a new pid namespace (unshare --pid)";
    }
    static const bool unshare_works =
        std::system("unshare --pid --fork --mount-proc true >/dev/null 2>&1") == 0;
    if (!unshare_works) {
        GTEST_SKIP() << "`unshare --pid --fork --mount-proc` does not work here";
    }
    dir_ = pgentry::test::make_temp_dir("pid1-test-");
    chmod(dir_.c_str(), 0755);
}

void Pid1Test::TearDown() {
    if (!dir_.empty()) {
        std::filesystem::remove_all(dir_);
    }
}

}  // namespace pid1
