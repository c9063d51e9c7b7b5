#!/usr/bin/env bash
# Soak: many consecutive boots, then many rounds of concurrent replicas, against one database of the
# PostgreSQL server the PG* variables name (pg_virtualenv's, for instance). It creates its own database
# and drops it at the end; it never restarts the server.
#
#   SOAK_BOOTS=500        consecutive `pgentry --mode=run -- true` boots (phase 1)
#   SOAK_MIGRATIONS=200   applied migrations the boots find (nothing pending: the common boot)
#   SOAK_ROUNDS=50        rounds of phase 2, each adding one pending migration
#   SOAK_REPLICAS=16      concurrent replicas per round
#   SOAK_LOCKS="table advisory"  lock modes, used in turn round by round
#   BUILD_DIR=build       where pgentry and its sibling programs are (not PGENTRY_*: pgentry rejects unknown ones)
#   SOAK_REPORT=FILE      also write the summary there
#
# A short version for CI: SOAK_BOOTS=50 SOAK_MIGRATIONS=20 SOAK_ROUNDS=5 tests/soak/soak.sh
#
# What it checks, and why there, since every pgentry is short-lived:
#   - every boot and every replica exits 0;
#   - connections: no session of the soak database stays behind after a boot (sampled every 50 boots and
#     at the end: pg_stat_activity back to its baseline, no idle pgentry@ session);
#   - descriptors and memory on the server: the postmaster's open descriptors and RSS before and after
#     (it is the only long-lived process involved; a backend leaked per boot would also show as a session);
#   - memory of pgentry itself: peak RSS of each boot (/usr/bin/time %M, the maximum over pgentry and the
#     programs it execs into), median of the first 50 boots against the last 50; and the boot time likewise;
#   - no stray processes: every pgentry runs with SOAK_TAG=<unique> in its environment, and no process
#     carrying the tag may exist after a boot has returned;
#   - exactly once: each round's migration inserts a row into a counter table without a unique
#     constraint, and the round needs exactly one row and one schema_migrations record.
set -euo pipefail

BOOTS=${SOAK_BOOTS:-500}
MIGRATIONS=${SOAK_MIGRATIONS:-200}
ROUNDS=${SOAK_ROUNDS:-50}
REPLICAS=${SOAK_REPLICAS:-16}
read -r -a LOCKS <<<"${SOAK_LOCKS:-table advisory}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${BUILD_DIR:-$ROOT/build}" && pwd)
PGENTRY=$BUILD/pgentry
TAG=pgentry-soak-$$-$RANDOM$RANDOM
DB=pgentry_soak_$$
WORK=$(mktemp -d /tmp/pgentry-soak-XXXXXX)
MIGDIR=$WORK/migrations
FAILURES=0

log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() {
    FAILURES=$((FAILURES + 1))
    log "FAIL: $*"
}
die() {
    log "error: $*"
    exit 2
}

sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }
sql_admin() { psql -X -q -At -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" -c "$1"; }

cleanup() {
    local status=$?
    sql_admin "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
    exit "$status"
}

url_encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# The URL pgentry gets; the soak's own psql uses the PG* variables directly.
database_url() {
    local host=${PGHOST:-localhost} port=${PGPORT:-5432} user=${PGUSER:-$(id -un)} auth=""
    [ -n "${PGPASSWORD:-}" ] && auth=":$(url_encode "$PGPASSWORD")"
    printf 'postgresql://%s%s@%s:%s/%s' "$(url_encode "$user")" "$auth" "$(url_encode "$host")" "$port" "$DB"
}

# Sessions on the soak database other than the asking one; and those of pgentry among them.
sessions() { sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"; }
pgentry_sessions() {
    sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pgentry@%'"
}

# Waits up to $2 seconds for `$1` to print 0; prints the last value.
settles_to_zero() {
    local probe=$1 deadline=$((SECONDS + $2)) value
    while :; do
        value=$($probe)
        if [ "$value" = 0 ] || [ "$SECONDS" -ge "$deadline" ]; then
            echo "$value"
            return
        fi
        sleep 0.1
    done
}

# Processes whose environment carries this soak's tag (pgentry, pgentry-init, the command, their children).
tagged_processes() {
    local pid found=()
    for pid in /proc/[0-9]*; do
        pid=${pid#/proc/}
        [ "$pid" = "$$" ] || [ "$pid" = "$BASHPID" ] && continue
        if { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qx "SOAK_TAG=$TAG"; then
            found+=("$pid")
        fi
    done
    echo "${#found[@]}"
}

postmaster_pid() {
    local data
    data=$(sql "SHOW data_directory")
    head -n1 "$data/postmaster.pid" 2>/dev/null || echo ""
}
fd_count() { [ -n "$1" ] && ls "/proc/$1/fd" 2>/dev/null | wc -l || echo "?"; }
rss_kb() { [ -n "$1" ] && awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

write_migrations() {
    mkdir -p "$MIGDIR"
    local i version
    for ((i = 1; i <= MIGRATIONS; i++)); do
        version=$(printf '2024%010d' "$i")
        cat >"$MIGDIR/${version}_soak_step_$i.sql" <<EOF
-- migrate:up
CREATE TABLE soak_step_$i (id bigserial PRIMARY KEY, note text NOT NULL DEFAULT 'step $i');
INSERT INTO soak_step_$i (note) VALUES ('applied');

-- migrate:down
DROP TABLE soak_step_$i;
EOF
    done
}

# One boot: pgentry --mode=run -- true; its peak RSS (KiB) and wall time (ms) are appended to files.
boot() {
    local lock=$1 timing=$WORK/time.$BASHPID status rss start end
    start=$(date +%s%N)
    set +e
    SOAK_TAG=$TAG /usr/bin/time -f '%M' -o "$timing" \
        "$PGENTRY" --mode=run --database-url="$URL" --migrations-dir="$MIGDIR" --lock="$lock" \
        --wait-timeout=30s -- true >"$WORK/boot.out" 2>"$WORK/boot.err"
    status=$?
    set -e
    end=$(date +%s%N)
    rss=$(tail -n1 "$timing" 2>/dev/null || echo 0)
    rm -f "$timing"
    echo "$rss" >>"$WORK/rss"
    echo $(((end - start) / 1000000)) >>"$WORK/wall"
    return "$status"
}

# An extra boot every 50 whose command looks around while it runs: pgentry's sessions on the database (pgentry
# must close every connection before the command starts), the descriptors of its parent (pgentry-init, the
# long-lived process) and, by exec'ing ls, the descriptors the command itself was given (the contract: 0-2).
probe_boot() {
    local report
    report=$(SOAK_TAG=$TAG "$PGENTRY" --mode=run --database-url="$URL" --migrations-dir="$MIGDIR" \
        --log-level=warn -- /bin/sh -c '
            psql -X -At -d "$1" -c "SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND application_name LIKE '"'pgentry@%'"'"
            ls /proc/$PPID/fd | sort -n | tr "\n" " "; echo
            exec ls /proc/self/fd' sh "$DB") || {
        fail "probe boot failed: $report"
        return 0
    }
    local open_sessions parent_fds cmd_fds
    open_sessions=$(sed -n 1p <<<"$report")
    parent_fds=$(sed -n 2p <<<"$report" | sed 's/ *$//')
    # ls lists its own directory stream last.
    cmd_fds=$(sed -n '3,$p' <<<"$report" | sort -n | sed '$d' | tr '\n' ' ' | sed 's/ *$//')
    printf '%s|%s|%s\n' "$open_sessions" "$parent_fds" "$cmd_fds" >>"$WORK/probes"
    [ "$open_sessions" = 0 ] || fail "pgentry still had $open_sessions sessions open while the command ran"
    [ "$cmd_fds" = "0 1 2" ] || fail "the command was given descriptors $cmd_fds, not 0 1 2"
}

phase_boots() {
    log "phase 1: $BOOTS consecutive boots of pgentry --mode=run -- true, $MIGRATIONS migrations applied"
    local i status bad_sessions=0 max_sessions=0 strays=0 s
    : >"$WORK/rss"
    : >"$WORK/wall"
    : >"$WORK/probes"
    for ((i = 1; i <= BOOTS; i++)); do
        status=0
        boot "${LOCKS[0]}" || status=$?
        if [ "$status" -ne 0 ]; then
            fail "boot $i exited $status: $(tail -n 3 "$WORK/boot.err" | tr '\n' ' ')"
        fi
        if ((i % 50 == 0 || i == BOOTS)); then
            probe_boot
            s=$(settles_to_zero pgentry_sessions 5)
            ((s > max_sessions)) && max_sessions=$s
            ((s != 0)) && bad_sessions=$((bad_sessions + 1)) && fail "after boot $i: $s pgentry sessions still open"
            s=$(tagged_processes)
            ((s != 0)) && strays=$((strays + s)) && fail "after boot $i: $s stray processes"
            log "  $i boots, last peak RSS $(tail -n1 "$WORK/rss") KiB, $(tail -n1 "$WORK/wall") ms"
        fi
    done
    BOOT_FAILURES=$FAILURES
    RSS_FIRST=$(head -n 50 "$WORK/rss" | median)
    RSS_LAST=$(tail -n 50 "$WORK/rss" | median)
    RSS_MAX=$(sort -n "$WORK/rss" | tail -n1)
    WALL_FIRST=$(head -n 50 "$WORK/wall" | median)
    WALL_LAST=$(tail -n 50 "$WORK/wall" | median)
    WALL_TOTAL=$(awk '{ t += $1 } END { print t }' "$WORK/wall")
    BOOT_STRAYS=$strays
    BOOT_MAX_SESSIONS=$max_sessions
    PROBES=$(wc -l <"$WORK/probes")
    PROBE_SESSIONS=$(cut -d'|' -f1 "$WORK/probes" | sort -n | tail -n1)
    PARENT_FDS=$(cut -d'|' -f2 "$WORK/probes" | sort -u | sed 's/.*/{&}/' | tr '\n' ' ')
    CMD_FDS=$(cut -d'|' -f3 "$WORK/probes" | sort -u | sed 's/.*/{&}/' | tr '\n' ' ')
    [ "$(cut -d'|' -f2 "$WORK/probes" | sort -u | wc -l)" -le 1 ] \
        || fail "pgentry-init's descriptors varied across boots: $PARENT_FDS"
    # A growth of more than 10 % (and 1 MiB) in the median peak RSS is a leak that survives exec, or a cache
    # that grows with the history; either way a finding.
    if awk -v a="$RSS_FIRST" -v b="$RSS_LAST" 'BEGIN { exit !(b > a * 1.10 && b - a > 1024) }'; then
        fail "peak RSS grew from a median of $RSS_FIRST KiB (first 50 boots) to $RSS_LAST KiB (last 50)"
    fi
}

phase_replicas() {
    log "phase 2: $ROUNDS rounds of $REPLICAS concurrent replicas, one new migration each round"
    sql "CREATE TABLE soak_counter (round int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())"
    local r i version lock pids status bad_exit=0 not_once=0 start elapsed round_max=0 round_total=0
    for ((r = 1; r <= ROUNDS; r++)); do
        version=$(printf '2025%010d' "$r")
        lock=${LOCKS[$(((r - 1) % ${#LOCKS[@]}))]}
        printf -- '-- migrate:up\nINSERT INTO soak_counter (round) VALUES (%d);\nSELECT pg_sleep(0.05);\n' "$r" \
            >"$MIGDIR/${version}_round_$r.sql"
        pids=()
        start=$(date +%s%N)
        for ((i = 1; i <= REPLICAS; i++)); do
            SOAK_TAG=$TAG "$PGENTRY" --mode=run --database-url="$URL" --migrations-dir="$MIGDIR" --lock="$lock" \
                --wait-timeout=30s -- true >"$WORK/replica.$i.out" 2>"$WORK/replica.$i.err" &
            pids+=("$!")
        done
        for i in "${!pids[@]}"; do
            status=0
            wait "${pids[$i]}" || status=$?
            if [ "$status" -ne 0 ]; then
                bad_exit=$((bad_exit + 1))
                fail "round $r ($lock): replica $((i + 1)) exited $status: $(tail -n 3 "$WORK/replica.$((i + 1)).err" | tr '\n' ' ')"
            fi
        done
        elapsed=$((($(date +%s%N) - start) / 1000000))
        round_total=$((round_total + elapsed))
        ((elapsed > round_max)) && round_max=$elapsed
        local ran recorded
        ran=$(sql "SELECT count(*) FROM soak_counter WHERE round = $r")
        recorded=$(sql "SELECT count(*) FROM schema_migrations WHERE version = $version")
        if [ "$ran" != 1 ] || [ "$recorded" != 1 ]; then
            not_once=$((not_once + 1))
            fail "round $r ($lock): the migration ran $ran times, recorded $recorded times"
        fi
        if ((r % 10 == 0 || r == ROUNDS)); then
            log "  $r rounds, last took $elapsed ms"
        fi
    done
    REPLICA_BAD_EXITS=$bad_exit
    ROUNDS_NOT_ONCE=$not_once
    ROUND_MEAN_MS=$((round_total / ROUNDS))
    ROUND_MAX_MS=$round_max
    REPLICA_STRAYS=$(tagged_processes)
    ((REPLICA_STRAYS != 0)) && fail "$REPLICA_STRAYS stray processes after phase 2"
    return 0
}

main() {
    command -v psql >/dev/null || die "psql not found"
    [ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian package time)"
    [ -x "$PGENTRY" ] || die "$PGENTRY not found: build first or set BUILD_DIR"
    ((BOOTS >= 1 && ROUNDS >= 1 && REPLICAS >= 1 && MIGRATIONS >= 1)) || die "counts must be positive"
    trap cleanup EXIT
    local started=$SECONDS

    sql_admin "CREATE DATABASE $DB"
    URL=$(database_url)
    write_migrations
    log "applying $MIGRATIONS migrations to $DB"
    "$PGENTRY" --mode=migrate-only --database-url="$URL" --migrations-dir="$MIGDIR" --log-level=warn \
        || die "the initial migrate-only failed"
    [ "$(sql "SELECT count(*) FROM schema_migrations")" = "$MIGRATIONS" ] || die "not every migration was recorded"

    local postmaster
    postmaster=$(postmaster_pid)
    # What a child of this shell inherits (bash keeps its script descriptor 255 close-on-exec).
    ls "/proc/$$/fd" >"$WORK/caller-fds"  # a file, not $(...): the pipe of a substitution would be listed too
    CALLER_FDS="{$(grep -vx 255 "$WORK/caller-fds" | sort -n | tr '\n' ' ' | sed 's/ *$//')}"
    SESSIONS_BEFORE=$(settles_to_zero sessions 5)
    PM_FD_BEFORE=$(fd_count "$postmaster")
    PM_RSS_BEFORE=$(rss_kb "$postmaster")
    BACKENDS_BEFORE=$(sql_admin "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")

    phase_boots
    phase_replicas

    SESSIONS_AFTER=$(settles_to_zero sessions 10)
    PGENTRY_SESSIONS_AFTER=$(settles_to_zero pgentry_sessions 10)
    PM_FD_AFTER=$(fd_count "$postmaster")
    PM_RSS_AFTER=$(rss_kb "$postmaster")
    BACKENDS_AFTER=$(sql_admin "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'")
    LOCKS_AFTER=$(sql "SELECT count(*) FROM pg_locks WHERE pid <> pg_backend_pid() AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    [ "$SESSIONS_AFTER" = "$SESSIONS_BEFORE" ] || fail "sessions on $DB: $SESSIONS_BEFORE before, $SESSIONS_AFTER after"
    [ "$PGENTRY_SESSIONS_AFTER" = 0 ] || fail "$PGENTRY_SESSIONS_AFTER pgentry sessions left"
    [ "$LOCKS_AFTER" = 0 ] || fail "$LOCKS_AFTER locks left in $DB"
    [ "$PM_FD_BEFORE" = "$PM_FD_AFTER" ] || fail "postmaster descriptors: $PM_FD_BEFORE before, $PM_FD_AFTER after"

    local summary
    summary=$(
        cat <<EOF
pgentry soak summary ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(basename "$PGENTRY") in $BUILD, PostgreSQL $(sql "SHOW server_version"))
phase 1: $BOOTS boots of --mode=run -- true (lock=${LOCKS[0]}) with $MIGRATIONS applied migrations
  failed boots:                 $BOOT_FAILURES
  peak RSS per boot (KiB):      median first 50 = $RSS_FIRST, median last 50 = $RSS_LAST, max = $RSS_MAX
  wall time per boot (ms):      median first 50 = $WALL_FIRST, median last 50 = $WALL_LAST, total = $WALL_TOTAL
  pgentry sessions after boots: max $BOOT_MAX_SESSIONS (sampled every 50 boots, 5 s to settle)
  stray processes:              $BOOT_STRAYS
  while the command runs ($PROBES probe boots): pgentry sessions max $PROBE_SESSIONS; the command's descriptors $CMD_FDS
  pgentry-init's descriptors $PARENT_FDS(this shell's own, inherited: $CALLER_FDS)
phase 2: $ROUNDS rounds x $REPLICAS concurrent replicas, one new migration per round (locks: ${LOCKS[*]})
  replicas that did not exit 0: $REPLICA_BAD_EXITS
  rounds not exactly once:      $ROUNDS_NOT_ONCE
  round time (ms):              mean $ROUND_MEAN_MS, max $ROUND_MAX_MS
  stray processes:              $REPLICA_STRAYS
server side (before -> after)
  sessions on the soak database: $SESSIONS_BEFORE -> $SESSIONS_AFTER; pgentry sessions after: $PGENTRY_SESSIONS_AFTER; locks: $LOCKS_AFTER
  client backends, whole server: $BACKENDS_BEFORE -> $BACKENDS_AFTER (shared server: other users count too)
  postmaster (pid ${postmaster:-?}): descriptors $PM_FD_BEFORE -> $PM_FD_AFTER, RSS $PM_RSS_BEFORE -> $PM_RSS_AFTER KiB
duration: $((SECONDS - started)) s
result: $([ "$FAILURES" -eq 0 ] && echo PASS || echo "FAIL ($FAILURES findings)")
EOF
    )
    echo "$summary"
    [ -n "${SOAK_REPORT:-}" ] && echo "$summary" >"$SOAK_REPORT"
    [ "$FAILURES" -eq 0 ]
}

main "$@"
