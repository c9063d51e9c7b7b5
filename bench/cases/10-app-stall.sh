# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: App stall during a blocked migration
# group: migrate
# method: Per tool and round, on a database of its own holding `users` (10,000 rows): an app session
# method: (`bench/app_stall.py`, psycopg2) runs `SELECT count(*) FROM users WHERE id < 100` every 100 ms; a
# method: blocker session takes `AccessShareLock` on `users` (`BEGIN; SELECT … FROM users`) and holds it 8 s
# method: (3 s with --quick); once pg_locks shows it granted, the tool runs one migration `ALTER TABLE users
# method: ADD COLUMN note text`: `pgentry --mode=migrate-only --ddl-lock-timeout=1s`, `dbmate up`, `psql -f`.
# method: The app runs from before the blocker until 2 s after it ends; its max and p99 query latency per
# method: round are the samples (a round has under 100 queries, so its p99 is its slowest query). Every tool
# method: must finish with the column added (pgentry by retrying).
# rows: pgentry dbmate psql
# metric: max_ms ms label=slowest stats=n,median,max n=rounds
# metric: p99_ms ms label=p99 stats=median,max
# target: pgentry max_ms max <= 1500

measure() {
    if ! /usr/bin/python3 -c 'import psycopg2' 2>/dev/null; then
        skip_case "$CASE" "no python3-psycopg2 (scripts/install-deps.sh bench)"
        return 0
    fi
    local hold round tool samples=$RAW/$CASE.txt
    hold=$(runs 8 3)
    local -a tools=(dbmate psql)
    if ((HAVE_PGENTRY)); then
        if grep -q -- --ddl-lock-timeout <<<"$("$PGENTRY" --help)"; then
            tools=(pgentry "${tools[@]}")
        else
            log "$CASE: this pgentry has no --ddl-lock-timeout: its row is not run"
        fi
    fi
    local dir=$WORK/stall
    mkdir -p "$dir/migrations"
    cat >"$dir/migrations/20240101000001_add_note.sql" <<'SQL'
-- migrate:up
ALTER TABLE users ADD COLUMN note text;

-- migrate:down
ALTER TABLE users DROP COLUMN note;
SQL
    echo 'ALTER TABLE users ADD COLUMN note text;' >"$dir/add_note.sql"
    : >"$samples"
    for ((round = 1; round <= $(runs 3 1); round++)); do
        for tool in "${tools[@]}"; do
            local db=stall_${tool}_$round
            sql postgres -c "CREATE DATABASE $db"
            sql "$db" -c "CREATE TABLE users (id int PRIMARY KEY, email text);
                          INSERT INTO users SELECT i, 'u' || i || '@example.com' FROM generate_series(1, 10000) i;"
            log "$CASE: round $round, $tool behind a ${hold} s blocker"
            /usr/bin/python3 "$BENCH_DIR/app_stall.py" "$(db_url "$db")" "$((hold + 3))" "$dir/app.out" &
            local app=$!
            sleep 0.5  # the app's first queries, before anything blocks
            sql "$db" -c "BEGIN; SELECT count(*) FROM users; SELECT pg_sleep($hold); COMMIT;" >/dev/null &
            local blocker=$!
            wait_for_blocker "$db"
            case $tool in
                pgentry) eval "$(pgentry_migrate "$db" "$dir/migrations" --ddl-lock-timeout=1s)" \
                             2>"$RAW/$CASE-$round.pgentry.log" ;;
                dbmate) (cd "$dir" && eval "$(dbmate_up "$db" "$dir/migrations")" >/dev/null) ;;
                psql) sql "$db" -f "$dir/add_note.sql" ;;
            esac || die "$CASE: $tool failed"
            wait "$blocker" || die "$CASE: the blocker failed"
            wait "$app" || die "$CASE: the app failed"
            [ "$(sql "$db" -Atc "SELECT count(*) FROM information_schema.columns
                                 WHERE table_name = 'users' AND column_name = 'note'")" = 1 ] ||
                die "$CASE: $tool did not add the column"
            local max p99 queries
            read -r max p99 queries <"$dir/app.out"
            log "$CASE: $tool: app max ${max} ms, p99 ${p99} ms over $queries queries"
            printf '%s max_ms %s\n%s p99_ms %s\n' "$tool" "$max" "$tool" "$p99" >>"$samples"
            sql postgres -c "DROP DATABASE $db"
        done
    done
    save_samples "$CASE" "$samples"
}

# Until the blocker session holds its lock on users (10 s at most).
wait_for_blocker() {
    local tries
    for ((tries = 0; tries < 200; tries++)); do
        [ "$(sql "$1" -Atc "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                            WHERE c.relname = 'users' AND l.mode = 'AccessShareLock' AND l.granted
                              AND l.pid <> pg_backend_pid()")" -gt 0 ] && return 0
        sleep 0.05
    done
    die "$CASE: the blocker never got its lock"
}
