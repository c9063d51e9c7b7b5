// SIGTERM forwarding latency of an init running as PID 1 (benchmark 7 of bench/run.sh).
//
//   signal_latency ROUNDS LABEL=INIT_ARGV [LABEL=INIT_ARGV ...]   prints "LABEL NANOSECONDS" per sample
//   signal_latency --child                                        the supervised command (used internally)
//
// Each INIT_ARGV is split on spaces; an empty one ("bare=") runs the child itself as PID 1, which is
// the kernel's floor. Every sample starts a fresh `unshare --pid --fork --mount-proc INIT... SELF --child`
// whose stdout is a pipe to us. The child installs a SIGTERM handler and writes 'R'; we let the init
// settle, take CLOCK_MONOTONIC, kill(init, SIGTERM); the child's handler takes CLOCK_MONOTONIC first
// thing and writes it to the pipe. Latency = handler time - kill time. Inits are interleaved round by
// round so that drift in machine load hits all of them alike.
// Built by bench/run.sh with g++ -O2; not part of the project's CMake build.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// --- the child ------------------------------------------------------------------------------------

void on_sigterm(int) {
    const std::int64_t t = now_ns();  // first thing: this is the moment the signal arrived
    [[maybe_unused]] auto n = write(STDOUT_FILENO, &t, sizeof t);
    _exit(0);
}

int child_main() {
    struct sigaction action {};
    action.sa_handler = on_sigterm;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    // No sigprocmask here on purpose: an init that leaves SIGTERM blocked in its child shows as "lost".
    const char ready = 'R';
    if (write(STDOUT_FILENO, &ready, 1) != 1) return 1;
    for (;;) pause();
}

// --- the driver -----------------------------------------------------------------------------------

struct Init {
    std::string label;
    std::vector<std::string> argv;  // empty: no init, the child is PID 1
};

// Reads exactly n bytes within timeout_ms; false on timeout or EOF.
bool read_within(int fd, void* buf, std::size_t n, int timeout_ms) {
    auto* p = static_cast<char*>(buf);
    const std::int64_t deadline = now_ns() + std::int64_t{timeout_ms} * 1'000'000;
    while (n > 0) {
        const int left_ms = static_cast<int>((deadline - now_ns()) / 1'000'000);
        if (left_ms <= 0) return false;
        pollfd pfd{fd, POLLIN, 0};
        const int r = poll(&pfd, 1, left_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        const ssize_t got = read(fd, p, n);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

// unshare --fork's only child is the namespace's PID 1.
pid_t namespace_init(pid_t unshare_pid) {
    for (int i = 0; i < 1000; ++i) {
        std::ifstream children("/proc/" + std::to_string(unshare_pid) + "/task/" + std::to_string(unshare_pid) +
                               "/children");
        pid_t pid = 0;
        if (children >> pid && pid > 0) return pid;
        usleep(1000);
    }
    return -1;
}

// Waits up to timeout_ms for pid; kills the namespace (its init) if it does not exit.
void reap(pid_t unshare_pid, pid_t init_pid, int timeout_ms) {
    for (int waited = 0; waited < timeout_ms; ++waited) {
        if (waitpid(unshare_pid, nullptr, WNOHANG) == unshare_pid) return;
        usleep(1000);
    }
    if (init_pid > 0) kill(init_pid, SIGKILL);
    waitpid(unshare_pid, nullptr, 0);
}

// One sample; returns the latency in ns, or -1 when the signal never reached the child.
std::int64_t measure(const Init& init, const std::string& self) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        std::perror("pipe2");
        std::exit(1);
    }
    std::vector<std::string> args{"unshare", "--pid", "--fork", "--mount-proc"};
    args.insert(args.end(), init.argv.begin(), init.argv.end());
    args.push_back(self);
    args.push_back("--child");

    const pid_t unshare_pid = fork();
    if (unshare_pid == 0) {
        dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execvp(argv[0], argv.data());
        _exit(127);
    }
    close(fds[1]);

    std::int64_t latency = -1;
    char ready = 0;
    pid_t init_pid = -1;
    if (read_within(fds[0], &ready, 1, 5000) && ready == 'R') {
        init_pid = namespace_init(unshare_pid);
        usleep(5000);  // let the init go back to sleep in its wait loop: the steady state a SIGTERM meets
        const std::int64_t sent = now_ns();
        kill(init_pid, SIGTERM);
        std::int64_t handled = 0;
        if (read_within(fds[0], &handled, sizeof handled, 3000)) latency = handled - sent;
    } else {
        init_pid = namespace_init(unshare_pid);
    }
    close(fds[0]);
    reap(unshare_pid, init_pid, 5000);
    return latency;
}

std::vector<std::string> split(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::strcmp(argv[1], "--child") == 0) return child_main();
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s ROUNDS LABEL=INIT_ARGV... | --child\n", argv[0]);
        return 64;
    }
    std::signal(SIGPIPE, SIG_IGN);
    const int rounds = std::atoi(argv[1]);
    std::vector<Init> inits;
    for (int i = 2; i < argc; ++i) {
        const std::string spec = argv[i];
        const auto eq = spec.find('=');
        if (eq == std::string::npos) {
            std::fprintf(stderr, "bad init spec '%s' (LABEL=ARGV)\n", spec.c_str());
            return 64;
        }
        inits.push_back({spec.substr(0, eq), split(spec.substr(eq + 1))});
    }
    char self[4096];
    const ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0) return 1;
    self[len] = '\0';

    for (int round = 0; round < rounds; ++round) {
        for (const auto& init : inits) {
            const std::int64_t latency = measure(init, self);
            if (latency < 0) std::printf("%s lost\n", init.label.c_str());
            else std::printf("%s %lld\n", init.label.c_str(), static_cast<long long>(latency));
        }
        std::fflush(stdout);
    }
    return 0;
}
