#!/usr/bin/env bash
# pgentry's benchmark suite: one entry point, writes docs/benchmarks.md.
#
#   bench/run.sh [--quick] [migrate|pid1|all|CASE...]     (default: all; as root, about 5-10 minutes)
#
#   migrate  the migrator against peers (psql, dbmate, squawk): no-op boot, a fresh database, wait, replicas,
#            lint speed, the app's stall behind a blocked migration
#   pid1     PID 1 against peers (tini, dumb-init, catatonit): memory, overhead, SIGTERM latency, orphans
#   CASE     one or more cases by name, e.g. 07-sigterm-latency (the report keeps the others' last results)
#
# Each benchmark is one file, bench/cases/NN-NAME.sh: its header declares the title, group, method, rows,
# metrics and targets that bench/report.py renders; its measure function emits the samples through
# hyperfine_rounds or save_samples below. This file keeps the setup and the loop.
#
# Options and environment:
#   --quick, BENCH_QUICK=1   a few runs of everything, to check the harness (numbers not meaningful)
#   BENCH_SKIP_BUILD=1       use BUILD_DIR's programs as they are (the pgentry rows are skipped if missing)
#   BUILD_DIR=DIR            the build tree (default: build-bench, configured in the default build type,
#                            Release, which the image ships: RelWithDebInfo's no-op boot was 0.5 ms slower);
#                            its programs are measured as the image installs them (cmake --install --strip)
#                            into DIR/installed/
#
# Every comparison is measured side by side in the same run: the commands of a benchmark run in
# interleaved rounds (hyperfine is called several times, alternating the order), and the report
# gives medians over all rounds and ratios between them, never one absolute time alone.
# Raw data (hyperfine JSON, samples) goes to bench/results/ (git-ignored).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
INSTALLED=$BUILD_DIR/installed  # the programs where an image has them: bin/pgentry, libexec/pgentry/the others
RESULTS=$BENCH_DIR/results
RAW=$RESULTS/raw
REPORT=$ROOT/docs/benchmarks.md
CASES=$BENCH_DIR/cases

PGBIN=/usr/lib/postgresql/15/bin
PSQL=$PGBIN/psql  # the real one: Debian's /usr/bin/psql is a Perl wrapper that adds ~75 ms a call
DBMATE=$BENCH_DIR/node_modules/@dbmate/linux-x64/bin/dbmate
PGENTRY=$INSTALLED/bin/pgentry
PGENTRY_INIT=$INSTALLED/libexec/pgentry/pgentry-init
SQUAWK=$ROOT/tests/lint-corpus/node_modules/@squawk-cli/linux-x64/bin/squawk  # the version the lint agreement test pins

QUICK=${BENCH_QUICK:-0}  # --quick sets and exports BENCH_QUICK, which pg_virtualenv passes on
MIGRATIONS=200             # the migrate cases' history
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
        for tool in tini dumb-init catatonit hyperfine postgresql python3-psycopg2; do
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
    if [ ! -x "$SQUAWK" ]; then
        (cd "$ROOT/tests/lint-corpus" && npm ci --no-audit --no-fund --loglevel=error) ||
            log "squawk did not install: the lint speed case is skipped"
    fi
}

# Sets HAVE_PGENTRY=1 when the programs built (or, with BENCH_SKIP_BUILD=1, exist): only the shipped
# programs are built, not the tests (pgentry, pgentry-init, and pgentry-migrator where the tree has it).
build_pgentry() {
    HAVE_PGENTRY=0
    export HAVE_PGENTRY
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
        log "building pgentry in $BUILD_DIR"
        # Without the tests, the default target is what the image installs.
        if ! cmake -S "$ROOT" -B "$BUILD_DIR" -DPGENTRY_TESTS=OFF >"$RESULTS/build.log" 2>&1 ||
            ! cmake --build "$BUILD_DIR" -j2 >>"$RESULTS/build.log" 2>&1; then
            log "build failed (see bench/results/build.log): the pgentry rows are skipped"
            return 0
        fi
    fi
    # Installed as the Dockerfile installs it: the build's own rules, stripped (pgentry finds the others in
    # ../libexec/pgentry).
    rm -rf "$INSTALLED"
    cmake --install "$BUILD_DIR" --prefix "$INSTALLED" --strip >>"$RESULTS/build.log" 2>&1 ||
        log "cmake --install failed (see bench/results/build.log)"
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

# hyperfine_rounds NAME ROUNDS RUNS WARMUP [HYPERFINE-OPTION...]: runs hyperfine ROUNDS times over the
# commands, in forward then reverse order, so slow drift of the machine's load hits every command alike; the
# runs of all rounds are pooled by bench/report.py. Commands run without a shell (-N), so no shell start-up
# is in any time. A command that exits non-zero aborts the benchmark, unless --ignore-failure is given (the
# linters exit 1 when they find something).
hyperfine_rounds() {
    local name=$1 rounds=$2 runs=$3 warmup=$4 round i
    local -a extra=("${@:5}")
    local -a order args raws=()
    for ((round = 1; round <= rounds; round++)); do
        order=()
        for i in "${!CMD_LABELS[@]}"; do order+=("$i"); done
        if ((round % 2 == 0)); then
            local -a reversed=()
            for ((i = ${#order[@]} - 1; i >= 0; i--)); do reversed+=("${order[i]}"); done
            order=("${reversed[@]}")
        fi
        args=(-N --style=basic --warmup "$warmup" --runs "$runs" --export-json "$RAW/$name.r$round.json" "${extra[@]}")
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

# save_samples NAME FILE: FILE has "LABEL METRIC VALUE" lines (a ~ in LABEL stands for a space); report.py
# pools them per label/metric, added to what hyperfine_rounds NAME saved in this run.
save_samples() {
    python3 "$BENCH_DIR/report.py" samples "$1" "$RESULTS/$1.json" "$2"
}

# skip_case NAME WHY: the case could not run; the report says so.
skip_case() {
    log "$1: skipped ($2)"
    python3 "$BENCH_DIR/report.py" skipped "$1" "$RESULTS/$1.json"
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

# --- what the migrate cases share, inside pg_virtualenv ---------------------------------------------

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

# run_migrate_cases CASE...: inside pg_virtualenv, which exports PG*.
run_migrate_inside() {
    export PGHOST=127.0.0.1
    setup_databases
    run_cases "$@"
}

run_migrate_cases() {
    (($#)) || return 0
    log "migrate cases: starting a throwaway PostgreSQL (pg_virtualenv)"
    # -t: a private cluster directory even as root, so a test suite's pg_virtualenv can run beside it.
    PGPORT=$(free_port) pg_virtualenv -t -o ssl=off -o max_connections=200 -o fsync=off \
        "$BENCH_DIR/run.sh" __migrate_inside "$@"
}

# --- what the pid1 cases share --------------------------------------------------------------------------

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

# --- the loop -----------------------------------------------------------------------------------------

# The cases' files in order, with `# group: GROUP` when a group is given.
case_files() {
    local group=${1:-} file
    for file in "$CASES"/*.sh; do
        [ -z "$group" ] || grep -qx "# group: $group" "$file" && echo "$file"
    done
}

# run_cases FILE...: each case in a subshell of its own, so that its variables and measure stay its own.
run_cases() {
    local file
    for file in "$@"; do
        CASE=$(basename "$file" .sh)
        log "$CASE"
        rm -f "$RESULTS/$CASE.json"  # save_samples adds to this run's results only
        (
            export CASE
            # shellcheck source=/dev/null
            source "$file"
            measure
        )
    done
}

# --- main ---------------------------------------------------------------------------------------------

usage() {
    sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-64}"
}

cleanup() {
    [ -n "${WORK:-}" ] || return 0
    # a case's private cluster, if a failure left it running
    local pidfile
    for pidfile in "$WORK"/*/data/postmaster.pid; do
        [ -f "$pidfile" ] &&
            runuser -u postgres -- "$PGBIN/pg_ctl" -D "$(dirname "$pidfile")" -m immediate stop >/dev/null 2>&1
    done
    rm -rf "$WORK"
}

main() {
    if [ "${1:-}" = __migrate_inside ]; then  # re-entered by pg_virtualenv
        shift
        run_migrate_inside "$@"
        return
    fi
    local -a selected=() migrate=() pid1=()
    local arg file
    for arg in "$@"; do
        case $arg in
            -h | --help) usage 0 ;;
            --quick) QUICK=1 BENCH_QUICK=1 && export BENCH_QUICK ;;
            migrate | pid1) mapfile -t -O "${#selected[@]}" selected < <(case_files "$arg") ;;
            all) mapfile -t -O "${#selected[@]}" selected < <(case_files) ;;
            *) [ -f "$CASES/$arg.sh" ] || { log "no case $arg in bench/cases"; usage; }
               selected+=("$CASES/$arg.sh") ;;
        esac
    done
    ((${#selected[@]})) || mapfile -t selected < <(case_files)
    for file in "${selected[@]}"; do
        if grep -qx '# group: migrate' "$file"; then migrate+=("$file"); else pid1+=("$file"); fi
    done
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
    run_migrate_cases "${migrate[@]}"
    run_cases "${pid1[@]}"
    log "benchmarks took $((SECONDS - started)) s; writing docs/benchmarks.md"
    python3 "$BENCH_DIR/report.py" render "$CASES" "$RESULTS" "$REPORT" --quick="$QUICK" \
        --have-pgentry="$HAVE_PGENTRY" --pgentry="$PGENTRY" --dbmate="$DBMATE" --psql="$PSQL"
}

main "$@"
