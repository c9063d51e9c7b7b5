#!/usr/bin/env bash
# pgentry's benchmark suite: one entry point, writes docs/benchmarks.md.
#
#   bench/run.sh [migrate|pid1|all]        (default: all; as root, about 5-10 minutes)
#
#   migrate  issue 2: no-op boot, 200 migrations on a fresh database, wait delay, 16 replicas
#   pid1     issue 3: memory, wrapper overhead, SIGTERM latency, 5000 orphans
#
# Environment:
#   BENCH_QUICK=1        a few runs of everything, to check the harness (numbers not meaningful)
#   BENCH_SKIP_BUILD=1   use build/ as it is (the pgentry rows are skipped if the binaries are missing)
#   BUILD_DIR=DIR        where pgentry and pgentry-init are (default: build)
#
# Every comparison is measured side by side in the same run: the commands of a benchmark run in
# interleaved rounds (hyperfine is called several times, alternating the order), and the report
# gives medians over all rounds and ratios between them, never one absolute time alone.
# Raw data (hyperfine JSON, samples) goes to bench/results/ (git-ignored).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
RESULTS=$BENCH_DIR/results
RAW=$RESULTS/raw
REPORT=$ROOT/docs/benchmarks.md

PGBIN=/usr/lib/postgresql/15/bin
PSQL=$PGBIN/psql  # the real one: Debian's /usr/bin/psql is a Perl wrapper that adds ~75 ms a call
DBMATE=$BENCH_DIR/node_modules/@dbmate/linux-x64/bin/dbmate
PGENTRY=$BUILD_DIR/pgentry
PGENTRY_INIT=$BUILD_DIR/pgentry-init

QUICK=${BENCH_QUICK:-0}
MIGRATIONS=200             # benchmarks 1, 2 and 4
REPLICAS=16                # benchmark 4
ORPHANS=5000               # benchmark 8
FIRST_VERSION=20240101000001
PENDING_VERSION=$((FIRST_VERSION + MIGRATIONS))

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Number of runs: the full value, or a token one with BENCH_QUICK=1.
runs() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# --- setup -------------------------------------------------------------------------------------------

install_deps() {
    log "installing dependencies (Debian: build + bench groups; npm: dbmate)"
    if command -v npm >/dev/null; then
        # An npm that came with a non-Debian nodejs conflicts with Debian's npm package, which the
        # bench group asks for: install the build group and the bench tools without it.
        "$ROOT/scripts/install-deps.sh" build
        local tool missing=()
        for tool in tini dumb-init catatonit hyperfine postgresql; do
            dpkg-query -W -f='${Status}' "$tool" 2>/dev/null | grep -q 'install ok installed' || missing+=("$tool")
        done
        if ((${#missing[@]})); then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        fi
    else
        "$ROOT/scripts/install-deps.sh" build bench
    fi
    if [ ! -x "$DBMATE" ]; then
        (cd "$BENCH_DIR" && npm install --no-audit --no-fund --loglevel=error)
    fi
    [ -x "$DBMATE" ] || die "dbmate not found at $DBMATE after npm install"
}

# Sets HAVE_PGENTRY=1 when the programs built (or, with BENCH_SKIP_BUILD=1, exist): only the shipped
# programs are built, not the tests (pgentry, pgentry-init, and pgentry-migrator where the tree has it).
build_pgentry() {
    HAVE_PGENTRY=0
    export HAVE_PGENTRY
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
        log "building pgentry in $BUILD_DIR"
        local -a targets=()
        local known target
        if cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$RESULTS/build.log" 2>&1; then
            known=$(cmake --build "$BUILD_DIR" --target help 2>/dev/null || true)
            for target in pgentry pgentry-migrator pgentry-init; do
                if grep -q -- "\.\.\. $target\$" <<<"$known"; then targets+=("$target"); fi
            done
        fi
        if ((${#targets[@]} == 0)) ||
            ! cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}" >>"$RESULTS/build.log" 2>&1; then
            log "build failed (see bench/results/build.log): the pgentry rows are skipped"
            return 0
        fi
    fi
    if [ -x "$PGENTRY" ] && [ -x "$PGENTRY_INIT" ]; then
        HAVE_PGENTRY=1
    else
        log "no $PGENTRY or $PGENTRY_INIT: the pgentry rows are skipped"
    fi
}

build_helpers() {
    mkdir -p "$WORK/bin"
    for helper in signal_latency orphans; do
        g++ -O2 -std=c++20 -Wall -Wextra -o "$WORK/bin/$helper" "$BENCH_DIR/$helper.cpp"
    done
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- measurement helpers -----------------------------------------------------------------------------

# The commands of the next hyperfine_rounds call: add_command LABEL COMMAND [PREPARE].
reset_commands() { CMD_LABELS=(); CMD_LINES=(); CMD_PREPARES=(); }
add_command() { CMD_LABELS+=("$1"); CMD_LINES+=("$2"); CMD_PREPARES+=("${3:-}"); }

# hyperfine_rounds NAME ROUNDS RUNS WARMUP: runs hyperfine ROUNDS times over the commands, in forward
# then reverse order, so slow drift of the machine's load hits every command alike; the runs of all
# rounds are pooled by bench/report.py. Commands run without a shell (-N), so no shell start-up is in
# any time. A command that exits non-zero aborts the benchmark.
hyperfine_rounds() {
    local name=$1 rounds=$2 runs=$3 warmup=$4 round i
    local -a order args raws=()
    for ((round = 1; round <= rounds; round++)); do
        order=()
        for i in "${!CMD_LABELS[@]}"; do order+=("$i"); done
        if ((round % 2 == 0)); then
            local -a reversed=()
            for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[i]}"); done
            order=("${reversed[@]}")
        fi
        args=(-N --style=basic --warmup "$warmup" --runs "$runs" --export-json "$RAW/$name.r$round.json")
        local with_prepare=0
        for i in "${order[@]}"; do [ -n "${CMD_PREPARES[i]}" ] && with_prepare=1; done
        for i in "${order[@]}"; do
            args+=(--command-name "${CMD_LABELS[i]}")
            ((with_prepare)) && args+=(--prepare "${CMD_PREPARES[i]:-true}")
        done
        for i in "${order[@]}"; do args+=("${CMD_LINES[i]}"); done
        log "$name: round $round/$rounds"
        hyperfine "${args[@]}" >"$RAW/$name.r$round.txt"
        raws+=("$RAW/$name.r$round.json")
    done
    local -a commands=()
    for i in "${!CMD_LABELS[@]}"; do commands+=(--command "${CMD_LABELS[i]}=$(redact "${CMD_LINES[i]}")"); done
    python3 "$BENCH_DIR/report.py" hyperfine "$name" "$RESULTS/$name.json" "${commands[@]}" "${raws[@]}"
}

# A command line for the report: no throwaway password, no temporary directory name.
redact() {
    local line=$1
    [ -n "${PGPASSWORD:-}" ] && line=${line//"$PGPASSWORD"/****}
    line=${line//"$WORK"/\$WORK}
    line=${line//"$ROOT"\//}
    echo "$line"
}

# save_samples NAME FILE: FILE has "LABEL METRIC VALUE" lines; report.py pools them per label/metric.
save_samples() {
    python3 "$BENCH_DIR/report.py" samples "$1" "$RESULTS/$1.json" "$2"
}

# The pid of PID 1 of the namespace that `unshare --pid --fork` (pid $1) made: its only child.
namespace_init() {
    local unshare_pid=$1 child="" tries
    for ((tries = 0; tries < 2000; tries++)); do
        child=$(cat "/proc/$unshare_pid/task/$unshare_pid/children" 2>/dev/null || true)
        child=${child%% *}
        [ -n "$child" ] && { echo "$child"; return 0; }
        sleep 0.001
    done
    return 1
}

# --- migration benchmarks (issue 2), run inside pg_virtualenv ----------------------------------------

db_url() { echo "postgres://$PGUSER:$PGPASSWORD@127.0.0.1:$PGPORT/$1?sslmode=disable"; }

sql() {  # sql DB PSQL_ARGS...
    local db=$1
    shift
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$(db_url "$db")" "$@"
}

# $1 = directory; writes $MIGRATIONS small migrations and all.sql (their up sections, in order).
make_migrations() {
    local dir=$1 i version
    mkdir -p "$dir"
    : >"$WORK/all.sql"
    for ((i = 1; i <= MIGRATIONS; i++)); do
        version=$((FIRST_VERSION + i - 1))
        cat >"$dir/${version}_create_t_$i.sql" <<EOF
-- migrate:up
CREATE TABLE t_$i (id int PRIMARY KEY, note text);
INSERT INTO t_$i (id, note) VALUES (1, 'one'), (2, 'two'), (3, 'three');

-- migrate:down
DROP TABLE t_$i;
EOF
        printf 'CREATE TABLE t_%d (id int PRIMARY KEY, note text);\nINSERT INTO t_%d (id, note) VALUES (1, %s), (2, %s), (3, %s);\n' \
            "$i" "$i" "'one'" "'two'" "'three'" >>"$WORK/all.sql"
    done
}

pgentry_migrate() {  # pgentry_migrate DB DIR [options]: the command line of one replica
    local line="$PGENTRY --mode=migrate-only --migrations-dir=$2 --database-url='$(db_url "$1")'"
    [ $# -le 2 ] || line+=" ${*:3}"
    echo "$line"
}
dbmate_up() {  # dbmate_up DB DIR
    echo "$DBMATE --url '$(db_url "$1")' --migrations-dir $2 --no-dump-schema up"
}
applied_count() {
    sql "$1" -Atc "SELECT count(*) FROM schema_migrations"
}

setup_databases() {
    log "setup: $MIGRATIONS migrations, databases noop_pgentry, noop_dbmate, replicas"
    APPLIED=$WORK/migrations-applied
    PENDING=$WORK/migrations-pending
    make_migrations "$APPLIED"
    mkdir -p "$PENDING"
    cp "$APPLIED"/*.sql "$PENDING/"
    cat >"$PENDING/${PENDING_VERSION}_pending.sql" <<'EOF'
-- migrate:up
CREATE TABLE pending_t (id int PRIMARY KEY);
INSERT INTO pending_t VALUES (1);

-- migrate:down
DROP TABLE pending_t;
EOF
    for db in noop_pgentry noop_dbmate replicas; do sql postgres -c "CREATE DATABASE $db"; done
    # dbmate keeps its own schema_migrations (version varchar): its own database.
    (cd "$WORK" && eval "$(dbmate_up noop_dbmate "$APPLIED")" >/dev/null)
    [ "$(applied_count noop_dbmate)" = "$MIGRATIONS" ] || die "dbmate did not apply $MIGRATIONS migrations"
    if ((HAVE_PGENTRY)); then
        for db in noop_pgentry replicas; do
            eval "$(pgentry_migrate "$db" "$APPLIED")" 2>"$RESULTS/setup-$db.log" ||
                die "pgentry failed to apply the migrations to $db (bench/results/setup-$db.log)"
            [ "$(applied_count "$db")" = "$MIGRATIONS" ] || die "pgentry did not apply $MIGRATIONS migrations to $db"
        done
    fi
}

# 1. A boot with nothing to do: 200 applied, nothing pending.
bench_noop() {
    reset_commands
    add_command psql "$PSQL -X -Atc 'select 1' -d '$(db_url noop_pgentry)'"
    if ((HAVE_PGENTRY)); then add_command pgentry "$(pgentry_migrate noop_pgentry "$APPLIED")"; fi
    add_command dbmate "$(dbmate_up noop_dbmate "$APPLIED")"
    hyperfine_rounds noop "$(runs 4 1)" "$(runs 30 3)" "$(runs 3 1)"
}

# 2. 200 migrations on a fresh database, recreated before every run (not timed).
bench_fresh() {
    local fresh="$PSQL -X -q -d '$(db_url postgres)' -c 'DROP DATABASE IF EXISTS fresh WITH (FORCE)' -c 'CREATE DATABASE fresh'"
    reset_commands
    add_command "psql -f" "$PSQL -X -q -v ON_ERROR_STOP=1 -d '$(db_url fresh)' -f $WORK/all.sql" "$fresh"
    if ((HAVE_PGENTRY)); then add_command pgentry "$(pgentry_migrate fresh "$APPLIED")" "$fresh"; fi
    add_command dbmate "$(dbmate_up fresh "$APPLIED")" "$fresh"
    hyperfine_rounds fresh "$(runs 4 1)" "$(runs 4 2)" 1
}

# 3. From "database system is ready to accept connections" (server log, %n = epoch in ms) to the
# waiter's exit, against a private cluster started after the waiter. A random 0.2-0.6 s head start
# puts the server's start at a random phase of each tool's poll interval.
bench_wait() {
    local dir=$WORK/waitpg port round tool samples=$RAW/wait.txt
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
    save_samples wait "$samples"
}

# 4. REPLICAS pgentry at once with one pending migration vs one alone, per lock mode (the pending
# migration is un-applied before every run, not timed). Two replicas applying it would fail (the
# table exists): every run must exit 0. The no-op rows (nothing pending) show what the same number
# of processes costs on this 2-core machine without any lock.
bench_replicas() {
    if ((!HAVE_PGENTRY)); then
        log "replicas: skipped (no pgentry)"
        python3 "$BENCH_DIR/report.py" skipped replicas "$RESULTS/replicas.json"
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
    hyperfine_rounds replicas "$(runs 4 1)" "$(runs 4 2)" 1
    [ "$(sql replicas -Atc 'SELECT count(*) FROM pending_t')" = 1 ] || die "replicas: pending migration not applied once"
}

run_migrate_inside() {
    export PGHOST=127.0.0.1
    setup_databases
    bench_noop
    bench_fresh
    bench_wait
    bench_replicas
}

run_migrate_benchmarks() {
    log "migrate benchmarks: starting a throwaway PostgreSQL (pg_virtualenv)"
    # -t: a private cluster directory even as root, so a test suite's pg_virtualenv can run beside it.
    PGPORT=$(free_port) pg_virtualenv -t -o ssl=off -o max_connections=200 -o fsync=off \
        "$BENCH_DIR/run.sh" __migrate_inside
}

# --- PID 1 benchmarks (issue 3) -----------------------------------------------------------------------

# The inits, as "LABEL=ARGV" (ARGV split on spaces; the command follows it).
init_specs() {
    echo "tini=/usr/bin/tini --"
    echo "dumb-init=/usr/bin/dumb-init --"
    echo "catatonit=/usr/bin/catatonit --"
    if ((HAVE_PGENTRY)); then
        echo "pgentry-init=$PGENTRY_INIT --"
        echo "pgentry=$PGENTRY --mode=launch-only --"
    fi
}

# 5. VmRSS and Pss of PID 1 while it supervises `sleep 60`, read once the sleep runs (for pgentry
# launch-only that is pgentry-init, after the exec). Rounds interleave the inits.
bench_memory() {
    local samples=$RAW/memory.txt round spec label init_pid unshare_pid child tries
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
            echo "$label comm $(cat "/proc/$init_pid/comm")" >>"$RAW/memory-comm.txt"
            kill -TERM "$init_pid"
            wait "$unshare_pid" || true
        done < <(init_specs)
    done
    save_samples memory "$samples"
}

# 6. `unshare ... INIT -- /bin/true` vs `unshare ... /bin/true`: what the init adds to a start.
bench_overhead() {
    local spec
    local ns="unshare --pid --fork --mount-proc"
    reset_commands
    add_command bare "$ns /bin/true"
    while IFS= read -r spec; do add_command "${spec%%=*}" "$ns ${spec#*=} /bin/true"; done < <(init_specs)
    hyperfine_rounds overhead "$(runs 10 1)" "$(runs 50 10)" "$(runs 5 2)"
}

# 7. kill(PID 1, SIGTERM) to the child's handler, by bench/signal_latency.cpp, interleaved per round.
bench_sigterm() {
    local -a specs=("bare=")
    mapfile -t -O 1 specs < <(init_specs)
    "$WORK/bin/signal_latency" "$(runs 200 10)" "${specs[@]}" |
        awk '{ print $1, ($2 == "lost" ? "lost 1" : "latency_us " $2 / 1000) }' >"$RAW/sigterm.txt"
    save_samples sigterm "$RAW/sigterm.txt"
}

# 8. The child leaves ORPHANS orphans to PID 1 and exits once all are reaped (or after 10 s):
# hyperfine times the whole namespace; bench/orphans.cpp records the reaping lag and what was left.
bench_orphans() {
    local spec label
    rm -f "$RAW"/orphans.*.txt
    reset_commands
    while IFS= read -r spec; do
        label=${spec%%=*}
        add_command "$label" "unshare --pid --fork --mount-proc ${spec#*=} $WORK/bin/orphans $ORPHANS $RAW/orphans.$label.txt"
    done < <(init_specs)
    hyperfine_rounds orphans "$(runs 3 1)" "$(runs 2 1)" 1
    local reaping=$RAW/reaping.txt
    : >"$reaping"
    for spec in "$RAW"/orphans.*.txt; do
        label=$(basename "$spec" .txt)
        awk -v l="${label#orphans.}" '{ print l, "reap_lag_ms", $2; print l, "not_reaped", $3 }' "$spec" >>"$reaping"
    done
    save_samples orphans-reaping "$reaping"
}

run_pid1_benchmarks() {
    log "PID 1 benchmarks"
    rm -f "$RAW/memory-comm.txt"
    bench_memory
    bench_overhead
    bench_sigterm
    bench_orphans
}

# --- main ---------------------------------------------------------------------------------------------

usage() {
    sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 64
}

cleanup() {
    [ -n "${WORK:-}" ] || return 0
    # the wait benchmark's private cluster, if a failure left it running
    [ -f "$WORK/waitpg/data/postmaster.pid" ] &&
        runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/waitpg/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$WORK"
}

main() {
    local what=${1:-all}
    if [ "$what" = __migrate_inside ]; then  # re-entered by pg_virtualenv, which exports PG*
        run_migrate_inside
        return
    fi
    case $what in migrate | pid1 | all) ;; *) usage ;; esac
    [ "$(id -u)" = 0 ] || die "run as root (unshare --pid, pg_virtualenv, runuser)"

    mkdir -p "$RESULTS" "$RAW"
    WORK=$(mktemp -d /tmp/pgentry-bench.XXXXXX)
    chmod 755 "$WORK"
    export WORK
    trap cleanup EXIT

    install_deps
    build_pgentry
    build_helpers
    local started=$SECONDS
    cut -d' ' -f1-3 /proc/loadavg >"$RESULTS/loadavg.start"
    case $what in
        migrate) run_migrate_benchmarks ;;
        pid1) run_pid1_benchmarks ;;
        all) run_migrate_benchmarks; run_pid1_benchmarks ;;
    esac
    log "benchmarks took $((SECONDS - started)) s; writing docs/benchmarks.md"
    python3 "$BENCH_DIR/report.py" render "$RESULTS" "$REPORT" --quick="$QUICK" --have-pgentry="$HAVE_PGENTRY" \
        --pgentry="$PGENTRY" --dbmate="$DBMATE" --psql="$PSQL"
}

main "$@"
