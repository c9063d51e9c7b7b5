# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: 16 replicas at once, 1 pending migration
# group: migrate
# method: `bench/replicas.sh N pgentry --mode=migrate-only --lock=L …` starts N copies at once and waits for
# method: all (wall time of the whole, hyperfine). The database has 200 applied migrations and the directory
# method: one more; hyperfine's `--prepare` un-applies it before every run (drops its table, deletes its
# method: row). A second application would fail (the table exists), so every run exiting 0 also shows it ran
# method: exactly once. The no-op rows (nothing pending, no lock taken) show what 16 processes cost on this
# method: 2-core machine by themselves.
# rows: "table x1" "table x16" "advisory x1" "advisory x16" "no-op x1" "no-op x16"
# baseline: no-op x16
# metric: time_s ms scale=1000 stats=n,median,p90,ratio
# target: "table x16" time_s median <= 1.5 x "table x1"
# target: "advisory x16" time_s median <= 1.5 x "advisory x1"
# note: "× no-op x16" divides by 16 replicas that find nothing pending and take no lock: what the lock and
# note: the waiting add on top of starting 16 processes (each logs in with SCRAM) on 2 cores.

REPLICAS=16

measure() {
    if ((!HAVE_PGENTRY)); then
        skip_case "$CASE" "no pgentry"
        return 0
    fi
    local unapply="$PSQL -X -q -d '$(db_url replicas)' -c 'DROP TABLE IF EXISTS pending_t' -c 'DELETE FROM schema_migrations WHERE version = $PENDING_VERSION'"
    local lock n
    reset_commands
    for lock in table advisory; do
        for n in 1 "$REPLICAS"; do
            add_command "$lock x$n" "$BENCH_DIR/replicas.sh $n $(pgentry_migrate replicas "$PENDING" --lock=$lock)" "$unapply"
        done
    done
    for n in 1 "$REPLICAS"; do
        add_command "no-op x$n" "$BENCH_DIR/replicas.sh $n $(pgentry_migrate noop_pgentry "$APPLIED")" true
    done
    hyperfine_rounds "$CASE" "$(runs 4 1)" "$(runs 4 2)" 1
    [ "$(sql replicas -Atc 'SELECT count(*) FROM pending_t')" = 1 ] || die "replicas: pending migration not applied once"
}
