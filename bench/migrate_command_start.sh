#!/usr/bin/env bash
# Issue 12's evidence: for one replica, the time from the database accepting connections to the server's
# first instruction, with another tool's migrator run
#   pgentry:  pgentry --mode=run [--lock=advisory] --migrate-command='MIGRATE' -- SERVER
#   sh:       sh -c 'until pg_isready; do sleep 1; done; MIGRATE && SERVER'   (wait-for-it's 1 s poll, as
#             dbmate --wait; FIELD-NOTES "Measured on this machine")
# in two scenarios:
#   up    the database already accepts connections (t0: the launch)
#   late  the database is started 1 s after the launch (t0: its log's "ready to accept connections")
# MIGRATE is a fixture of tests/migrators with nothing left to do (what a restart or a later replica sees), so
# the numbers are each runner's own cost; SERVER writes the time it started and exits 0.
#   bench/migrate_command_start.sh [django|alembic|dbmate] [SAMPLES]       (default: alembic 10)
# Prints one line per sample, "VARIANT SCENARIO MS", then the medians. Needs root or a user that may run
# initdb; PGENTRY (default build/pgentry) must have --migrate-command.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOL=${1:-alembic}
SAMPLES=${2:-10}
PGENTRY=${PGENTRY:-$ROOT/build/pgentry}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
MIGRATE="$ROOT/tests/migrators/migrate $TOOL"
case "$TOOL" in
    django | alembic | dbmate) LOCK=(--lock=advisory) ;;  # these three take no lock of their own
    *) echo "usage: $0 [django|alembic|dbmate] [SAMPLES]" >&2; exit 64 ;;
esac

log() { printf '[migrate_command_start %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

WORK=$(mktemp -d /tmp/pgentry-bench-migrate-XXXXXX)
chmod 755 "$WORK"
as_postgres=()
[ "$(id -u)" -ne 0 ] || { as_postgres=(runuser -u postgres --); chown postgres "$WORK"; }
pg() { "${as_postgres[@]}" "$PGBIN/$1" "${@:2}"; }
cleanup() {
    pg pg_ctl -D "$WORK/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# A free port: the kernel's pick for a socket that is closed at once.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL="postgresql://postgres@127.0.0.1:$PORT/bench?sslmode=disable"
MARK="$WORK/server-started"
SERVER="date +%s%N >'$MARK'"

pg initdb -D "$WORK/data" -A trust -U postgres >/dev/null
start_db() {
    pg pg_ctl -D "$WORK/data" -l "$WORK/data/server.log" -w \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -k $WORK -c log_line_prefix='%n '" start >/dev/null
}
stop_db() { pg pg_ctl -D "$WORK/data" -m fast -w stop >/dev/null; }
# The instant of the last "ready to accept connections" in the server's log (%n: epoch seconds with
# milliseconds), in ns since the epoch.
ready_ns() {
    local line
    line=$(grep 'ready to accept connections' "$WORK/data/server.log" | tail -1)
    line=${line%% *}
    echo $(( ${line%.*} * 1000000000 + 10#${line#*.} * 1000000 ))
}

start_db
pg psql -h 127.0.0.1 -p "$PORT" -U postgres -qc 'CREATE DATABASE bench'
DATABASE_URL=$URL $MIGRATE >/dev/null 2>&1 || { log "the $TOOL fixture failed against $URL"; exit 1; }
log "$TOOL migrated once; $SAMPLES samples per variant and scenario"

launch() {  # launch VARIANT: runs it to completion; its output goes to $WORK/out
    case "$1" in
        pgentry) "$PGENTRY" --mode=run --database-url="$URL" "${LOCK[@]}" --migrate-command="$MIGRATE" \
                     -- /bin/sh -c "$SERVER" ;;
        sh) DATABASE_URL=$URL /bin/sh -c \
                "until $PGBIN/pg_isready -q -d '$URL'; do sleep 1; done; $MIGRATE && $SERVER" ;;
    esac >"$WORK/out" 2>&1
}

sample() {  # sample VARIANT SCENARIO: prints the milliseconds from t0 to the server's start
    local variant=$1 scenario=$2 t0 pid
    rm -f "$MARK"
    if [ "$scenario" = up ]; then
        t0=$(date +%s%N)
        launch "$variant" || { log "$variant failed:"; cat "$WORK/out" >&2; exit 1; }
    else
        stop_db
        launch "$variant" &
        pid=$!
        sleep 1  # the scenario: the database comes up 1 s after the replica
        start_db
        wait "$pid" || { log "$variant failed:"; cat "$WORK/out" >&2; exit 1; }
        t0=$(ready_ns)
    fi
    echo "$variant $scenario $(( ($(cat "$MARK") - t0) / 1000000 ))"
}

if ! grep -q -- --migrate-command <<<"$("$PGENTRY" --help 2>/dev/null)"; then
    log "$PGENTRY has no --migrate-command (issue 12): only the sh variant is measured"
    variants=(sh)
else
    variants=(pgentry sh)
fi

results="$WORK/results"
for scenario in up late; do
    for ((i = 1; i <= SAMPLES; i++)); do
        for variant in "${variants[@]}"; do
            sample "$variant" "$scenario" | tee -a "$results"
        done
    done
done

echo "# medians (ms), $TOOL, $SAMPLES samples each"
for scenario in up late; do
    for variant in "${variants[@]}"; do
        awk -v v="$variant" -v s="$scenario" '$1 == v && $2 == s { print $3 }' "$results" | sort -n |
            awk -v v="$variant" -v s="$scenario" '{ a[NR] = $1 } END { print v, s, a[int((NR + 1) / 2)] }'
    done
done
