#!/usr/bin/env bash
# Valgrind memcheck over pgentry's main flows against a fresh database, created and dropped here
# (docs/reliability.md, "Valgrind"): migrate-only (applying, then already up), wait-only, status, verify,
# run (supervised and exec), launch-only (also with --user, as root), rollback, a failing migration and a
# SIGTERM during a migration. Every program of a flow is checked (--trace-children), except the command
# itself (/bin/true) and static programs. VALGRIND_KEEP=1 keeps the logs (the script names their directory).
#   scripts/valgrind.sh
# Builds build/ with scripts/build.sh, or uses VALGRIND_BUILD_DIR as it is (not PGENTRY_*: pgentry
# rejects variables of its own prefix that name no option). Inside a PostgreSQL environment
# (PGHOST or PGPORT set) it uses that server; otherwise it reruns itself under pg_virtualenv.
# Passes when every flow ends with its expected exit code and no program reports an error: no invalid
# read or write, no use of uninitialised memory, no definitely or possibly lost block.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly repo=$PWD
work=
database=

# Memcheck cannot check a static program: with no dynamic loader it cannot preload its malloc, and it
# reports glibc's static start-up (TLS set-up, tcache) as uninitialised reads. Such programs run natively.
is_static() {
    # Whole output first: grep -q closing the pipe early would fail the pipeline (SIGPIPE under pipefail),
    # and a dynamic program would pass for static and run without memcheck.
    local headers
    headers=$(readelf -l "$1" 2>/dev/null)
    ! grep -q 'Requesting program interpreter' <<<"$headers"
}

# Suppressions, each for noise outside pgentry. None is needed today: libpq, OpenSSL and glibc keep
# their one-time global state reachable ("still reachable" is not an error here). Add one only with a
# comment that names the library and why the report is not pgentry's.
write_suppressions() {
    cat >"$work/suppressions.supp" <<'EOF'
EOF
}

cleanup() {
    if [ -n "$database" ]; then
        dropdb --if-exists --force "$database" || echo "valgrind.sh: could not drop database $database" >&2
    fi
    [ -z "$work" ] || [ -n "${VALGRIND_KEEP:-}" ] || rm -rf "$work"
}

write_migrations() {
    local dir=$1
    mkdir -p "$dir"
    cat >"$dir/1_users.sql" <<'EOF'
-- migrate:up
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);
-- migrate:down
DROP TABLE users;
EOF
    cat >"$dir/2_users_email.sql" <<'EOF'
-- migrate:up transaction:false
CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);
-- migrate:down transaction:false
DROP INDEX CONCURRENTLY users_email;
EOF
    cat >"$dir/3_user_count.sql" <<'EOF'
-- migrate:up
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*) FROM users;
END;
-- migrate:down
DROP FUNCTION user_count();
EOF
}

# Runs one flow under memcheck: name, expected exit code, then pgentry's arguments.
flow() {
    local name=$1 expected=$2 status=0
    shift 2
    memcheck "$@" >>"$work/logs/$name.log" 2>&1 || status=$?
    report "$name" "$expected" "$status"
}

# Runs pgentry's arguments under memcheck, against the flows' database and migrations.
memcheck() {
    local skip='/bin/*,/usr/bin/*'
    is_static "$build/pgentry-init" && skip+=",*/pgentry-init"
    valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,possible \
        --errors-for-leak-kinds=definite,possible --error-exitcode=1 --trace-children=yes \
        --trace-children-skip="$skip" --suppressions="$work/suppressions.supp" \
        "$entry" --database-url="dbname=$database" --migrations-dir="$work/migrations" "$@"
}

# The error lines memcheck writes, whatever happens after them (a program that execs prints no summary).
readonly error_pattern='== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Syscall param|'\
'Mismatched free|Source and destination overlap|Argument .* of function|Jump to the invalid|'\
'[0-9,]+ bytes in [0-9,]+ blocks are (definitely|possibly) lost)'

# Memcheck writes to stderr (a --log-file would be truncated when a checked program execs the next one,
# same pid), which the flow appends to one file: each line is tagged ==PID==.
report() {
    local name=$1 expected=$2 status=$3 log=$work/logs/$1.log processes errors
    processes=$(grep -cE '^==[0-9]+== Command: ' "$log" || true)
    errors=$(grep -cE "$error_pattern" "$log" || true)
    if [ "$status" -eq "$expected" ] && [ "$errors" -eq 0 ]; then
        printf '%-22s exit %3s  %s program(s): no leaks, no invalid reads\n' "$name" "$status" "$processes"
    else
        printf '%-22s exit %3s (expected %s)  %s error(s); see below\n' "$name" "$status" "$expected" "$errors"
        cat "$log" >&2
        failed=1
    fi
}

# SIGTERM while a migration runs: pgentry cancels it, rolls back, releases the lock and exits 143.
interrupted_flow() {
    local name=interrupted status=0 pid waited=0
    cp "$work/slow.sql" "$work/migrations/4_slow.sql"
    memcheck --mode=migrate-only >>"$work/logs/$name.log" 2>&1 &
    pid=$!
    local running="SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()"
    until [ "$(psql -XAtqd "$database" -c "$running")" = 1 ]; do
        sleep 0.5
        waited=$((waited + 1))
        if [ "$waited" -ge 240 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "valgrind.sh: the slow migration never started" >&2
            break
        fi
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    rm "$work/migrations/4_slow.sql"
    report "$name" 143 "$status"
}

main() {
    if [ -z "${PGHOST:-}" ] && [ -z "${PGPORT:-}" ]; then
        exec pg_virtualenv -t "$0" "$@"
    fi
    if ! command -v valgrind >/dev/null; then
        echo "valgrind.sh: no valgrind (scripts/install-deps.sh harden)" >&2
        exit 69
    fi
    if [ -n "${VALGRIND_BUILD_DIR:-}" ]; then
        build=$(cd "$VALGRIND_BUILD_DIR" && pwd)
    else
        scripts/build.sh
        build=$repo/build
    fi
    # pgentry is static: start the flows at pgentry-migrator, which it execs with the same arguments and
    # which runs the same option parsing (pgentry's own code runs dynamically linked in scripts/sanitize.sh).
    entry=$build/pgentry
    if is_static "$entry"; then
        entry=$build/pgentry-migrator
        echo "valgrind.sh: $build/pgentry is static; the flows start at pgentry-migrator" >&2
    fi

    work=$(mktemp -d)
    trap cleanup EXIT
    [ -z "${VALGRIND_KEEP:-}" ] || echo "valgrind.sh: logs in $work/logs" >&2
    mkdir -p "$work/logs"
    write_suppressions
    write_migrations "$work/migrations"
    printf -- '-- migrate:up\nSELECT pg_sleep(600);\n' >"$work/slow.sql"
    database=pgentry_valgrind_$$
    createdb "$database"

    failed=0
    flow migrate-only 0 --mode=migrate-only
    flow already-up 0 --mode=migrate-only
    flow wait-only 0 --mode=wait-only
    flow status 0 --mode=status
    flow verify 0 --mode=verify
    flow run 0 --mode=run -- true
    flow run-exec 0 --mode=run --launch=exec -- true
    flow launch-only 0 --mode=launch-only -- true
    if [ "$(id -u)" -eq 0 ]; then
        flow launch-only-user 0 --mode=launch-only --user=nobody -- true
    fi
    flow rollback 0 --mode=rollback --steps=1
    printf -- '-- migrate:up\nSELECT 1/0;\n' >"$work/migrations/9_fails.sql"
    flow failing-migration 70 --mode=migrate-only
    rm "$work/migrations/9_fails.sql"
    interrupted_flow
    return "$failed"
}

main "$@"
