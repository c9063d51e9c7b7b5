# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: Wait: server ready → waiter exits
# group: migrate
# method: A private cluster (initdb as postgres, `log_line_prefix='%n '`: epoch in ms) is started 0.2–0.6 s
# method: (random) after the waiter, so the server comes up at a random phase of the waiter's poll interval.
# method: Delay = waiter's exit (bash `$EPOCHREALTIME` after `wait`) − the log line "database system is ready
# method: to accept connections". Tools alternate round by round. dbmate `wait` uses its default 1 s
# method: interval; the `pg_isready` shell loop (0.1 s sleep) is the usual wait-for-it script, for reference.
# rows: pgentry dbmate "pg_isready loop"
# metric: delay_ms ms stats=n,median,p90,min,max n=rounds
# target: pgentry delay_ms median <= 100

measure() {
    local dir=$WORK/waitpg port round tool samples=$RAW/$CASE.txt
    port=$(free_port)
    mkdir -p "$dir/data" "$dir/log"
    chown postgres "$dir/data" "$dir/log"
    runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -N >"$dir/initdb.log"
    local url="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
    local -A waiters=(
        [dbmate]="$DBMATE --url '$url' --wait-timeout 30s wait"
        [pg_isready loop]="bash -c 'until $PGBIN/pg_isready -q -h 127.0.0.1 -p $port; do sleep 0.1; done'"
    )
    if ((HAVE_PGENTRY)); then
        waiters[pgentry]="$PGENTRY --mode=wait-only --wait-timeout=30s --database-url='$url'"
    fi
    : >"$samples"
    for ((round = 1; round <= $(runs 10 2); round++)); do
        log "wait: round $round"
        for tool in "${!waiters[@]}"; do
            local server_log="$dir/log/$round-${tool// /_}.log" waiter exit_at ready_at
            eval "${waiters[$tool]}" >/dev/null 2>&1 &
            waiter=$!
            sleep "0.$((RANDOM % 400 + 200))"
            runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -W -l "$server_log" -o \
                "-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir/data -c fsync=off -c log_line_prefix='%n '" \
                start >/dev/null
            wait "$waiter" || die "wait: $tool failed"
            exit_at=$EPOCHREALTIME
            runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
            ready_at=$(awk '/database system is ready to accept connections/ { print $1; exit }' "$server_log")
            [ -n "$ready_at" ] || die "wait: no ready line in $server_log"
            python3 -c "print('$tool'.replace(' ', '~'), 'delay_ms', round(($exit_at - $ready_at) * 1000, 1))" >>"$samples"
        done
    done
    save_samples "$CASE" "$samples"
}
