# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: Wrapper overhead: `INIT -- /bin/true` vs bare `/bin/true`
# group: pid1
# method: hyperfine -N over `unshare --pid --fork --mount-proc [INIT --] /bin/true` (the namespace cost is in
# method: every row), several interleaved rounds, runs pooled. "× bare" = median ÷ bare median; an init's
# method: ratio to bare is at most tini's when its median is at most tini's (same bare run on both sides).
# rows: bare tini dumb-init catatonit pgentry-init pgentry
# baseline: bare
# metric: time_s ms scale=1000 digits=2 stats=n,median,p90,ratio
# target: pgentry-init time_s median <= 1.0 x tini
# target: pgentry time_s median <= 1.0 x tini

measure() {
    local spec
    local ns="unshare --pid --fork --mount-proc"
    reset_commands
    add_command bare "$ns /bin/true"
    while IFS= read -r spec; do add_command "${spec%%=*}" "$ns ${spec#*=} /bin/true"; done < <(init_specs)
    hyperfine_rounds "$CASE" "$(runs 10 1)" "$(runs 50 10)" "$(runs 5 2)"
}
