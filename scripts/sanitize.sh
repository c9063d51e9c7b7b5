#!/usr/bin/env bash
# ASan + UBSan: builds into build-asan/ with -DPGENTRY_SANITIZE=ON and runs the whole ctest suite on it
# (docs/reliability.md, "Sanitizers"). Every program but the static pgentry-init is sanitized, pgentry and
# pgentry-migrator included, so the process-level tests run them sanitized too.
#   scripts/sanitize.sh [CTEST-ARGS...]
# Inside a PostgreSQL environment (PGHOST or PGPORT set, e.g. under pg_virtualenv) the suite uses that
# server; otherwise pg_virtualenv starts a throwaway one, as scripts/test.sh does.
# A Debug build: it compiles in about half the time of an optimized one, and the suite waits on processes
# and the server far more than it computes.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly build_dir=build-asan

build() {
    # -g1: line tables only, all a report's stack needs (file:line); full -g took a quarter longer to build
    # (2 December 2026, 2 cores: 326 -> 258 s).
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DPGENTRY_SANITIZE=ON \
        -DPGENTRY_WERROR=ON >/dev/null
    cmake --build "$build_dir" -j"$(nproc)"
}

# Halt at the first report of either sanitizer (the build also has -fno-sanitize-recover), with stacks.
# LeakSanitizer needs to stop the process with ptrace at exit; where a sandbox forbids that it dies with
# "LeakSanitizer has encountered a fatal error", so leaks are checked only where a probe run shows it works.
sanitizer_options() {
    local leaks=1
    # Whole output first: grep -q would close the pipe at the match, and the writer's SIGPIPE would fail the
    # pipeline under pipefail (the same for every check of a command's output below).
    local probe
    probe=$(ASAN_OPTIONS=detect_leaks=1 "$build_dir/pgentry" --version 2>&1 || true)
    if grep -q 'LeakSanitizer has encounter' <<<"$probe"; then
        echo "sanitize.sh: LeakSanitizer cannot run here (ptrace refused); leaks are not checked" >&2
        leaks=0
    fi
    local asan=halt_on_error=1:detect_leaks=$leaks:detect_stack_use_after_return=1
    export ASAN_OPTIONS=${ASAN_OPTIONS:-$asan:check_initialization_order=1:strict_init_order=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
}

# Left to the plain suite: other tools' migrators racing each other (Django, Alembic, dbmate: tests/migrators),
# which test those tools and the lock, not pgentry's memory (their pgentry paths run in the MigrateCommand
# process tests, which stay), and the three 30-replica waves, which test the server's connection slots and
# table-creation races over 20-30 s each (the same pgentry paths run under ASan with 8 and 16 replicas).
readonly other_tools='Migrators/|MigrateCommandRace|ThirtyReplicas'

run_suite() {
    # Two tests a core, as scripts/test.sh: 255 s at -j2, 212 s at -j4 on 2 cores (2 December 2026).
    local ctest=(ctest --test-dir "$build_dir" --output-on-failure -j"$(($(nproc) * 2))" -E "$other_tools" "$@")
    if [ -n "${PGHOST:-}" ] || [ -n "${PGPORT:-}" ]; then
        "${ctest[@]}"
    else
        pg_virtualenv -t -o max_connections=300 -o ssl=off "${ctest[@]}"  # ssl=off: scripts/test.sh says why
    fi
}

main() {
    scripts/install-deps.sh build test
    build
    sanitizer_options
    echo "sanitize.sh: ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS" >&2
    run_suite "$@"
}

main "$@"
