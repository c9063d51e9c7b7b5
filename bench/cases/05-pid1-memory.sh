# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: Memory of PID 1 while it supervises `sleep 60`
# group: pid1
# method: `unshare --pid --fork --mount-proc INIT /bin/sleep 60`; once the sleep runs (so for `pgentry
# method: --mode=launch-only` PID 1 is pgentry-init, after its exec), VmRSS from /proc/PID/status and Pss from
# method: /proc/PID/smaps_rollup of PID 1. Inits interleaved per round; medians over the rounds.
# rows: tini dumb-init catatonit pgentry-init pgentry
# baseline: tini
# metric: vmrss_kb kB label=VmRSS digits=0 stats=n,median,ratio n=rounds
# metric: pss_kb kB label=Pss digits=0 stats=median,ratio
# target: pgentry-init vmrss_kb median <= 1.0 x tini
# target: pgentry vmrss_kb median <= 1.0 x tini
# target: pgentry-init pss_kb median <= 1.5 x tini
# target: pgentry pss_kb median <= 1.5 x tini
# note: Reading Pss: it divides every shared page among the processes that map it. tini and dumb-init are
# note: dynamically linked, so most of their resident pages are libc's, shared with every other process on
# note: this host, and count for little; catatonit and pgentry-init are static, so their Pss is their RSS.
# note: In a container, where only a handful of processes map the image's libc, a dynamic init's Pss comes
# note: close to its RSS. VmRSS compares what each init keeps resident.

measure() {
    local samples=$RAW/$CASE.txt round spec label init_pid unshare_pid child tries
    : >"$samples"
    for ((round = 1; round <= $(runs 5 1); round++)); do
        while IFS= read -r spec; do
            label=${spec%%=*}
            read -ra argv <<<"${spec#*=}"
            unshare --pid --fork --mount-proc "${argv[@]}" /bin/sleep 60 &
            unshare_pid=$!
            init_pid=$(namespace_init "$unshare_pid") || die "memory: $label did not start"
            for ((tries = 0; tries < 5000; tries++)); do
                child=$(cat "/proc/$init_pid/task/$init_pid/children" 2>/dev/null || true)
                child=${child%% *}
                [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = sleep ] && break
                sleep 0.001
            done
            sleep 0.2  # steady state
            echo "$label vmrss_kb $(awk '/^VmRSS:/ { print $2 }' "/proc/$init_pid/status")" >>"$samples"
            echo "$label pss_kb $(awk '/^Pss:/ { print $2 }' "/proc/$init_pid/smaps_rollup")" >>"$samples"
            kill -TERM "$init_pid"
            wait "$unshare_pid" || true
        done < <(init_specs)
    done
    save_samples "$CASE" "$samples"
}
