# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: 5000 orphans
# group: pid1
# method: `unshare --pid --fork --mount-proc INIT -- orphans 5000 FILE` (bench/orphans.cpp): the child
# method: double-forks 5000 grandchildren that exit at once (orphans of PID 1, zombies until reaped), then
# method: polls them with kill(pid, 0) (ESRCH once reaped) until none is left or 10 s pass, records the
# method: reaping lag after the last fork and how many were never reaped, and exits. hyperfine times the whole
# method: namespace until the init exits (the time columns).
# rows: tini dumb-init catatonit pgentry-init pgentry
# baseline: tini
# metric: time_s s digits=3 stats=n,median,ratio
# metric: reap_lag_ms ms label="reaping lag" digits=2 stats=median
# metric: not_reaped "" label="not reaped" digits=0 stats=max
# target: pgentry-init not_reaped max <= 0
# target: pgentry not_reaped max <= 0

ORPHANS=5000

measure() {
    local spec label reaping=$RAW/$CASE.reaping.txt
    rm -f "$RAW/$CASE".*.txt
    reset_commands
    while IFS= read -r spec; do
        label=${spec%%=*}
        add_command "$label" "unshare --pid --fork --mount-proc ${spec#*=} $WORK/bin/orphans $ORPHANS $RAW/$CASE.$label.txt"
    done < <(init_specs)
    hyperfine_rounds "$CASE" "$(runs 3 1)" "$(runs 2 1)" 1
    : >"$reaping"
    while IFS= read -r spec; do
        label=${spec%%=*}
        awk -v l="$label" '{ print l, "reap_lag_ms", $2; print l, "not_reaped", $3 }' "$RAW/$CASE.$label.txt" >>"$reaping"
    done < <(init_specs)
    save_samples "$CASE" "$reaping"
}
