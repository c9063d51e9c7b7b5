#!/usr/bin/env bash
# libFuzzer: builds tests/fuzz with clang into build-fuzz/ (-DPGENTRY_FUZZ=ON: ASan, UBSan, coverage) and runs
# every target for SECONDS each, FUZZ_JOBS targets at a time (default: one per core; docs/reliability.md).
#   scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]      (default: 30 seconds, every target)
# Each run starts from the seeds in tests/fuzz/corpus/<target>/ plus what earlier runs found, kept in
# build-fuzz/corpus/<target>/. A crash, leak, timeout or broken property stops that target, leaves the
# input in build-fuzz/artifacts/ and prints the command that reproduces it; the other targets still run,
# and the script exits 1. Needs clang and libclang-rt-14-dev (scripts/install-deps.sh harden).
set -euo pipefail
cd "$(dirname "$0")/.."

readonly build_dir=build-fuzz
readonly all_targets=(migration_file statement_splitter duration options redact lint)

usage() {
    echo "usage: scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]  (targets: ${all_targets[*]})" >&2
    exit 64
}

build() {
    command -v clang++ >/dev/null || { echo "fuzz.sh: no clang++ (scripts/install-deps.sh harden)" >&2; exit 69; }
    CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGENTRY_FUZZ=ON -DPGENTRY_WERROR=ON \
        -DPGENTRY_TESTS=OFF >/dev/null
    cmake --build "$build_dir" --target fuzz -j"$(nproc)"
}

# The tokens worth combining for a target, as libFuzzer's -dict argument (none for some targets).
dictionary() {
    local file
    case "$1" in
        migration_file | statement_splitter | lint) file=tests/fuzz/sql.dict ;;
        *) file=tests/fuzz/$1.dict ;;
    esac
    [ ! -f "$file" ] || echo "-dict=$file"
}

# The value of libFuzzer's final "stat::NAME: VALUE" line in a log.
final_stat() {
    awk -v name="stat::$1:" '$1 == name { value = $2 } END { print value + 0 }' "$2"
}

# Runs one target; writes "target executions seconds result" to build-fuzz/logs/<target>.result.
run_target() {
    local target=$1 seconds=$2
    local program=$build_dir/tests/fuzz/fuzz_$target
    local corpus=$build_dir/corpus/$target
    local log=$build_dir/logs/$target.log
    local start status=0 elapsed dict
    mkdir -p "$corpus" "$build_dir/artifacts" "$build_dir/logs"
    dict=$(dictionary "$target")
    start=$(date +%s)
    # -timeout: an input that takes 10 s is a hang; -print_final_stats: the executions counted below.
    # shellcheck disable=SC2086 # $dict is empty or one word
    "$program" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 $dict \
        -artifact_prefix="$build_dir/artifacts/$target-" "$corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1 ||
        status=$?
    elapsed=$(($(date +%s) - start))
    local result=ok
    if [ "$status" -ne 0 ]; then
        result=FAILED
        {
            echo "fuzz.sh: $target failed (exit $status); the end of $log:"
            grep -E -A3 'property violated|ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error' "$log" |
                head -20
            local artifact
            artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
            [ -z "$artifact" ] || echo "fuzz.sh: reproduce with: $program $artifact"
        } >&2
    fi
    echo "$target $(final_stat number_of_executed_units "$log") $elapsed $result" >"$build_dir/logs/$target.result"
}

main() {
    local seconds=30
    if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
        seconds=$1
        shift
    fi
    [ "$seconds" -gt 0 ] || usage
    local targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
    local target
    for target in "${targets[@]}"; do
        [[ " ${all_targets[*]} " == *" $target "* ]] || usage
    done

    build
    # Leaks count as failures; UBSan stops at the first report like ASan (the build has -fno-sanitize-recover).
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

    # libFuzzer runs on one core: as many targets at once as there are cores.
    local jobs=${FUZZ_JOBS:-$(nproc)} running=0
    rm -f "$build_dir"/logs/*.result
    for target in "${targets[@]}"; do
        if [ "$running" -ge "$jobs" ]; then
            wait -n
            running=$((running - 1))
        fi
        run_target "$target" "$seconds" &
        running=$((running + 1))
    done
    wait

    local failed=0 name executions elapsed result
    printf '%-20s %14s %8s %10s  %s\n' target executions seconds exec/s result
    for target in "${targets[@]}"; do
        read -r name executions elapsed result <"$build_dir/logs/$target.result"
        printf '%-20s %14s %8s %10s  %s\n' "$name" "$executions" "$elapsed" \
            "$((executions / (elapsed > 0 ? elapsed : 1)))" "$result"
        [ "$result" = ok ] || failed=1
    done
    return "$failed"
}

main "$@"
