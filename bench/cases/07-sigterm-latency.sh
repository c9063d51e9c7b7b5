# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: SIGTERM forwarding latency
# group: pid1
# method: `bench/signal_latency.cpp` (g++ -O2): per sample a fresh `unshare --pid --fork --mount-proc INIT --
# method: signal_latency --child`; the child installs a SIGTERM handler and says ready on its stdout (a pipe);
# method: after 5 ms (the init back asleep) the driver takes CLOCK_MONOTONIC and kill(PID 1, SIGTERM)s; the
# method: handler's first act is to take CLOCK_MONOTONIC and write it back. Inits interleaved per round.
# method: `bare` is the child itself as PID 1 with the handler: the kernel's floor. A sample is lost when no
# method: handler ran within 3 s.
# rows: bare tini dumb-init catatonit pgentry-init pgentry
# baseline: tini
# metric: latency_us µs stats=n,median,p90,ratio n=samples
# metric: lost "" label=lost stats=n n=
# target: pgentry-init latency_us median <= 1.0 x tini
# target: pgentry latency_us median <= 1.0 x tini
# target: pgentry-init lost n <= 0
# target: pgentry lost n <= 0

measure() {
    local -a specs=("bare=")
    mapfile -t -O 1 specs < <(init_specs)
    "$WORK/bin/signal_latency" "$(runs 200 10)" "${specs[@]}" |
        awk '{ print $1, ($2 == "lost" ? "lost 1" : "latency_us " $2 / 1000) }' >"$RAW/$CASE.txt"
    save_samples "$CASE" "$RAW/$CASE.txt"
}
