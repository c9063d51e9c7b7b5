// The command of benchmark 8 of bench/run.sh: leaves N orphans to the init that supervises it.
//
//   orphans N RESULT_FILE
//
// Makes N orphans by double fork (an intermediate child forks a grandchild, reports its pid and exits
// at once; the grandchild exits at once too), so every grandchild is reparented to PID 1 and becomes a
// zombie there until the init reaps it. Then it watches the grandchildren with kill(pid, 0), which
// succeeds on a zombie and fails with ESRCH once it is reaped, until none is left or 10 s pass, and
// appends "spawn_ms reap_lag_ms not_reaped" to RESULT_FILE before exiting 0. With the init as PID 1 of
// a fresh pid namespace, pids are not reused within these 2 N forks.
// Built by bench/run.sh with g++ -O2; not part of the project's CMake build.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

double now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s N RESULT_FILE\n", argv[0]);
        return 64;
    }
    const int n = std::atoi(argv[1]);
    int fds[2];
    if (pipe(fds) != 0) return 1;

    const double start = now_ms();
    std::vector<pid_t> orphans;
    orphans.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        const pid_t middle = fork();
        if (middle < 0) {
            std::perror("fork");
            return 1;
        }
        if (middle == 0) {
            const pid_t orphan = fork();
            if (orphan == 0) _exit(0);
            [[maybe_unused]] auto w = write(fds[1], &orphan, sizeof orphan);
            _exit(0);
        }
        pid_t orphan = -1;
        if (read(fds[0], &orphan, sizeof orphan) != sizeof orphan || orphan <= 0) return 1;
        orphans.push_back(orphan);
        waitpid(middle, nullptr, 0);
    }
    const double spawned = now_ms();

    const double deadline = spawned + 10'000;
    while (!orphans.empty() && now_ms() < deadline) {
        std::vector<pid_t> left;
        for (pid_t pid : orphans)
            if (kill(pid, 0) == 0 || errno != ESRCH) left.push_back(pid);
        orphans.swap(left);
        if (!orphans.empty()) usleep(200);
    }
    const double done = now_ms();

    std::FILE* out = std::fopen(argv[2], "a");
    if (out == nullptr) return 1;
    std::fprintf(out, "%.3f %.3f %zu\n", spawned - start, done - spawned, orphans.size());
    std::fclose(out);
    return 0;
}
