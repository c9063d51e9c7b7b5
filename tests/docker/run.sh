#!/usr/bin/env bash
# The image in a real Docker engine, as a user runs it, offline (no image registry):
#
#   tests/docker/run.sh          (root; exits 77, "skipped", without root or dockerd)
#
# A dockerd of the test's own (tests/docker/engine.sh), the base images made from Debian's packages
# (scripts/docker-bases.sh), the image built with BuildKit and with the legacy builder, then the story against a
# PostgreSQL of the test's own on the host, listening on the docker0 gateway and reached as host.docker.internal:
# migrate-only twice, the /app/bin/migrate shim, HEALTHCHECK, docker stop (timed), docker run -it and Ctrl-C, a
# secret file, docker-compose with 3 replicas, then Swarm: a start-first rollout with one more migration, a
# failing migration rolled back, 8 replicas on a fresh database.
#
# The client is Debian's 20.10 (/usr/bin/docker), the one the faults of issue 13 were found with; DOCKER_CLIENT
# picks another. PGENTRY_DOCKER_ROOT keeps the engine's data (layers, base images) between runs; PGENTRY_DOCKER_LOGS
# names a directory that gets the logs of every step (builds, containers, compose, Swarm) at the end.
# Numbers (build times, image size, docker stop median, exactly-once counts) are printed at the end.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
readonly repo
readonly client=${DOCKER_CLIENT:-/usr/bin/docker}
readonly image=pgentry-example
readonly pg_port=54329
readonly swarm_addr=10.231.9.1
readonly swarm_link=pgdswarm0
readonly new_version=20991231000001   # the migration the "v2" image adds
readonly bad_version=20991231000002   # the one the "bad" image adds: it fails after creating a table

work=""
pgbin=""
password=""
gateway=""
declare -a report=()

# shellcheck source=tests/docker/engine.sh
source "$repo/tests/docker/engine.sh"

log() { printf '[docker-test] %s\n' "$*" >&2; }
failure=""
fail() {
    failure=$*
    log "FAIL: $*"
    exit 1
}
note() {
    report+=("$*")
    log "$*"
}
# The same client for the scripts this one runs (scripts/docker-bases.sh).
PATH=$(dirname "$client"):$PATH
docker() { "$client" "$@"; }

# shellcheck source=tests/lib/wait_until.sh
source "$repo/tests/lib/wait_until.sh"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

teardown() {
    local status=$?
    set +e
    if [ "$status" -ne 0 ] && [ -n "$work" ]; then
        [ -z "$engine_pid" ] || docker ps -a --format '{{.Names}} {{.Status}}' >&2
        local file
        for file in "$work"/*.log "$work/pg/log"; do
            [ -f "$file" ] && { log "--- $file"; tail -n 25 "$file" >&2; }
        done
    fi
    if [ -n "${PGENTRY_DOCKER_LOGS:-}" ] && [ -n "$work" ]; then
        mkdir -p "$PGENTRY_DOCKER_LOGS" && cp "$work"/*.log "$PGENTRY_DOCKER_LOGS/"
    fi
    engine_stop
    ip link delete "$swarm_link" 2>/dev/null
    if [ -n "$pgbin" ] && [ -f "$work/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null
    fi
    [ -z "$work" ] || rm -rf "$work"
    # Repeated after the logs, so that the end of CI's output says what failed.
    [ -z "$failure" ] || log "FAIL: $failure"
    exit "$status"
}

# --- the host: an engine, the bases, a PostgreSQL on the bridge -----------------------------------------------

sql() {
    local database=$1
    shift
    "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/pg" -p "$pg_port" -U postgres -d "$database" -At -c "$@"
}

# url DATABASE: what a container uses.
url() { echo "postgres://app:$password@host.docker.internal:$pg_port/$1"; }

setup_postgres() {
    pgbin=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)
    # The engine's IPAM names the gateway only when --bip chose it; docker0 always has it.
    gateway=$(ip -4 -o addr show dev docker0 | awk '{ split($4, address, "/"); print address[1]; exit }')
    [ -n "$gateway" ] || fail "docker0 has no IPv4 address"
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    mkdir "$work/pg"
    chown postgres: "$work/pg"
    echo "$password" >"$work/pg/password"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 >/dev/null
    # Containers come from docker0, docker_gwbridge (Swarm tasks) and user networks: any private address.
    echo "host all all 0.0.0.0/0 scram-sha-256" >>"$work/pg/data/pg_hba.conf"
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w start -o \
        "-c listen_addresses=$gateway -c port=$pg_port -c unix_socket_directories=$work/pg -c max_connections=200" \
        >/dev/null
    sql postgres "CREATE ROLE app LOGIN PASSWORD '$password'"
    local database
    for database in story compose swarm fresh; do sql postgres "CREATE DATABASE $database OWNER app"; done
    log "PostgreSQL on $gateway:$pg_port"
}

# --- the image -----------------------------------------------------------------------------------------------

# build LABEL TAG CONTEXT [ENV=VALUE...]: docker build, timed.
build() {
    local label=$1 tag=$2 context=$3
    shift 3
    local start
    start=$(now_ms)
    # In the background: bash runs a trap (a TERM from CI's timeout) only once its foreground command is done.
    env "$@" "$client" build --tag "$tag" "$context" >"$work/build-$label.log" 2>&1 &
    wait $! || fail "docker build ($label) failed: $(tail -n 5 "$work/build-$label.log")"
    note "build $label: $((($(now_ms) - start) / 1000)) s"
}

# The context with one more migration, or with one that fails half-way (a table created, then an error).
context_with() {
    local name=$1 version=$2 body=$3
    mkdir "$work/$name"
    tar -C "$repo" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$work/$name" -xf -
    printf -- '-- migrate:up\n%s\n-- migrate:down\nSELECT 1;\n' "$body" >"$work/$name/migrations/${version}_$name.sql"
}

build_images() {
    # No `# syntax=` line: BuildKit must not need a registry for its frontend (issue 13, fault 1).
    ! grep -q '^# *syntax=' "$repo/Dockerfile" || fail "the Dockerfile names a frontend image"
    build buildkit "$image:v1" "$repo" DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain
    build legacy "$image:legacy" "$repo" DOCKER_BUILDKIT=0
    local size slim
    size=$(docker image inspect --format '{{.Size}}' "$image:v1")
    slim=$(docker image inspect --format '{{.Size}}' debian:bookworm-slim)
    note "image: $((size / 1000000)) MB, debian:bookworm-slim $((slim / 1000000)) MB" \
        "(+$(((size - slim) / 1000000)) MB);" \
        "docker image ls: $(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$image:v1")," \
        "$(docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' debian:bookworm-slim)"
    # Every layer but the migrations' comes from the cache: no C++ is compiled again (fault 3).
    context_with visits_index "$new_version" 'CREATE INDEX visits_path ON visits (path);'
    build "one-more-migration" "$image:v2" "$work/visits_index" DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain
    local compile_step
    compile_step=$(grep -o '^#[0-9]* \[build *[0-9/]*\] RUN cmake -S' "$work/build-one-more-migration.log" | cut -d' ' -f1)
    grep -qx "$compile_step CACHED" "$work/build-one-more-migration.log" ||
        fail "a changed migration compiled the C++ again: $(grep "^$compile_step " "$work/build-one-more-migration.log")"
    context_with half_applied "$bad_version" 'CREATE TABLE half_applied (id int); SELECT 1/0;'
    cp "$work/visits_index/migrations/${new_version}_visits_index.sql" "$work/half_applied/migrations/"
    build "failing-migration" "$image:bad" "$work/half_applied" DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain
}

# --- one container at a time ---------------------------------------------------------------------------------

# run_image NAME [DOCKER-RUN-OPTION...] -- [IMAGE-ARG...]: a container of $image:v1 against the story database.
readonly hostgw=--add-host=host.docker.internal:host-gateway

health() { docker inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null; }
is_healthy() { [ "$(health "$1")" = healthy ]; }
answers() { docker exec "$1" /usr/local/bin/pgentry-example-server --healthcheck >/dev/null 2>&1; }

check_migrate_only() {
    docker run --rm "$hostgw" -e DATABASE_URL="$(url story)" "$image:v1" --mode=migrate-only \
        >"$work/migrate-1.log" 2>&1 || fail "the first migrate-only run failed"
    local applied
    applied=$(grep -c '== Migrated' "$work/migrate-1.log" || true)
    [ "$applied" -eq "$(find "$repo/migrations" -name '*.sql' | wc -l)" ] || fail "first run migrated $applied"
    docker run --rm "$hostgw" -e DATABASE_URL="$(url story)" "$image:v1" --mode=migrate-only \
        >"$work/migrate-2.log" 2>&1 || fail "the second migrate-only run failed"
    grep -q 'Migrations already up' "$work/migrate-2.log" || fail "second run: $(cat "$work/migrate-2.log")"
    docker run --rm "$hostgw" -e DATABASE_URL="$(url story)" --entrypoint /app/bin/migrate "$image:v1" \
        >"$work/migrate-shim.log" 2>&1 || fail "the /app/bin/migrate shim failed"
    grep -q 'Migrations already up' "$work/migrate-shim.log" || fail "shim: $(cat "$work/migrate-shim.log")"
    docker run --rm "$hostgw" -e DATABASE_URL="$(url story)" --entrypoint /app/bin/status "$image:v1" \
        >"$work/status.log" 2>&1 || fail "the /app/bin/status shim failed"
    local up
    up=$(grep -cE '^[0-9]+ +[A-Za-z0-9_-]+ +up ' "$work/status.log" || true)
    [ "$up" -eq "$applied" ] || fail "the status shim lists $up migrations up: $(cat "$work/status.log")"
    note "migrate-only: $applied migrated, then 'Migrations already up' (again, and through /app/bin/migrate);" \
        "/app/bin/status: $up up"
}

check_healthcheck_and_stop() {
    local run durations=()
    for run in 1 2 3 4 5; do
        docker run -d --name "stop$run" "$hostgw" -e DATABASE_URL="$(url story)" "$image:v1" >/dev/null
        if [ "$run" -eq 1 ]; then
            wait_until 60 "healthy container" is_healthy stop1
            # PID 1 is pgentry-init, as the image's user: the exec-form ENTRYPOINT and USER app.
            [ "$(docker exec stop1 cat /proc/1/comm)" = pgentry-init ] || fail "PID 1 is not pgentry-init"
            docker exec stop1 grep -qE '^Uid:\s+10001\s' /proc/1/status || fail "PID 1 does not run as uid 10001"
        else
            wait_until 60 "answering server" answers "stop$run"
        fi
        local start elapsed code
        start=$(now_ms)
        docker stop --time 10 "stop$run" >/dev/null
        elapsed=$(($(now_ms) - start))
        code=$(docker inspect --format '{{.State.ExitCode}}' "stop$run")
        docker logs "stop$run" >"$work/stop$run.log" 2>&1
        docker rm "stop$run" >/dev/null
        [ "$code" -eq 0 ] || fail "docker stop: exit $code (run $run)"
        ((elapsed < 1000)) || fail "docker stop took ${elapsed} ms (run $run)"
        durations+=("$elapsed")
    done
    local sorted
    sorted=$(printf '%s\n' "${durations[@]}" | sort -n | tr '\n' ' ')
    note "HEALTHCHECK healthy; docker stop: exit 0, median $(echo "$sorted" | cut -d' ' -f3) ms of 5 ($sorted ms)"
}

# docker run -it in a pty, Ctrl-C once the server listens: SIGINT reaches the app, which stops with 0.
readonly pty_program='
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
output = b""
def read_until(marker, seconds):
    global output
    deadline = time.monotonic() + seconds
    while marker not in output:
        if time.monotonic() > deadline:
            sys.exit("no %r within %ss: %r" % (marker, seconds, output[-500:]))
        if select.select([fd], [], [], 0.2)[0]:
            try:
                output += os.read(fd, 4096)
            except OSError:
                break
read_until(b"listening on", 60)
os.write(fd, b"\x03")
read_until(b"\n[info] stopped", 10)
_, status = os.waitpid(pid, 0)
sys.stdout.write(output.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
'

check_tty_ctrl_c() {
    local code=0
    /usr/bin/python3 -c "$pty_program" "$client" run -it --rm --name tty "$hostgw" \
        -e DATABASE_URL="$(url story)" "$image:v1" >"$work/tty.log" 2>&1 || code=$?
    [ "$code" -eq 0 ] || fail "docker run -it, Ctrl-C: exit $code"
    grep -q 'SIGINT' "$work/tty.log" || fail "the server did not see SIGINT: $(tail -n 5 "$work/tty.log")"
    note "docker run -it + Ctrl-C: the server got SIGINT, exit 0"
}

# The URL from a file only the image's user may read (uid 10001, 0400), as DATABASE_URL_FILE; a 0600 file of
# root's is a usage error that names it (issue 13, fault 6: what docker-compose's bind mount gives).
check_secret_file() {
    url story >"$work/secret-root"
    chmod 0600 "$work/secret-root"
    local code=0
    docker run --rm -v "$work/secret-root:/run/secrets/database_url:ro" \
        -e DATABASE_URL_FILE=/run/secrets/database_url "$image:v1" >"$work/secret-root.log" 2>&1 || code=$?
    if [ "$code" -ne 64 ] || ! grep -q 'DATABASE_URL_FILE: cannot read .*/run/secrets/database_url.*Permission denied' \
        "$work/secret-root.log"; then
        fail "a root-only secret file: exit $code, $(cat "$work/secret-root.log")"
    fi
    url story >"$work/secret"
    chown 10001:10001 "$work/secret"
    chmod 0400 "$work/secret"
    docker run -d --name secret "$hostgw" -v "$work/secret:/run/secrets/database_url:ro" \
        -e DATABASE_URL_FILE=/run/secrets/database_url "$image:v1" >/dev/null
    wait_until 60 "healthy container with the URL from a secret file" is_healthy secret
    docker stop secret >/dev/null
    docker rm secret >/dev/null
    note "DATABASE_URL_FILE (uid 10001, mode 0400): healthy; root's 0600 file: exit 64, $(grep -o 'DATABASE_URL_FILE: cannot read.*' "$work/secret-root.log" | head -n 1)"
}

# --- several replicas at once ----------------------------------------------------------------------------------

# migrated DATABASE VERSION: how many times the history says VERSION was applied.
migrated() { sql "$1" "SELECT count(*) FROM schema_migrations WHERE version = $2"; }

# count_migrated LOGFILE: the "== Migrated" lines of all replicas' logs.
count_migrated() { grep -c '== Migrated' "$1" || true; }

check_compose() {
    # 0600, as docs/deployment.md allows: docker-compose bind-mounts the file as it is (docker/compose#9648).
    url compose >"$work/compose.secret"
    chown 10001:10001 "$work/compose.secret"
    chmod 0600 "$work/compose.secret"
    local compose=(docker-compose --project-name pgdc --file "$repo/compose.yaml")
    # DATABASE_URL empty (compose.yaml: unset for pgentry and the server), so that the URL comes from the secret.
    export PGENTRY_IMAGE=$image PGENTRY_TAG=v1 PGENTRY_PORTS=18080-18082 DATABASE_URL_SECRET=$work/compose.secret \
        DATABASE_URL=
    # docker-compose v1 talks to the engine itself: it needs DOCKER_HOST, not the client.
    "${compose[@]}" up --detach --no-build >"$work/compose-up.log" 2>&1 || fail "docker-compose up failed"
    local ids
    count_healthy_compose() {
        mapfile -t ids < <("${compose[@]}" ps --quiet app)
        [ "${#ids[@]}" -eq 3 ] || return 1
        local id
        for id in "${ids[@]}"; do is_healthy "$id" || return 1; done
    }
    wait_until 120 "3 healthy replicas under docker-compose" count_healthy_compose
    "${compose[@]}" logs --no-color app >"$work/compose.log" 2>&1
    local expected applied
    expected=$(find "$repo/migrations" -name '*.sql' | wc -l)
    applied=$(count_migrated "$work/compose.log")
    [ "$applied" -eq "$expected" ] || fail "compose: $applied '== Migrated' lines for $expected migrations"
    [ "$(sql compose 'SELECT count(*) FROM schema_migrations')" -eq "$expected" ] || fail "compose: history"
    "${compose[@]}" down --timeout 20 >"$work/compose-down.log" 2>&1 || fail "docker-compose down failed"
    unset PGENTRY_IMAGE PGENTRY_TAG PGENTRY_PORTS DATABASE_URL_SECRET DATABASE_URL
    note "docker-compose $(docker-compose version --short): 3 replicas healthy, $applied migrations applied once each" \
        "(the URL from a secret file of uid 10001, mode 0600)"
}

# --- Swarm --------------------------------------------------------------------------------------------------

# The stack file of compose.yaml, for this machine: its port published in host mode without a number (each task
# gets one), since the routing mesh needs IPVS, which this kernel lacks; REPLICAS replicas.
stack_file() {
    local replicas=$1
    "$repo/scripts/check-compose.sh" --stack | /usr/bin/python3 -c '
import sys, yaml
stack = yaml.safe_load(sys.stdin)
app = stack["services"]["app"]
app["ports"] = [{"target": 8080, "mode": "host"}]
app["deploy"]["replicas"] = int(sys.argv[1])
yaml.safe_dump(stack, sys.stdout, sort_keys=False)' "$replicas"
}

# service_tasks SERVICE STATE: the containers of SERVICE in docker ps' STATE (running, exited).
service_containers() {
    docker ps --all --quiet --filter "label=com.docker.swarm.service.name=$1" --filter "status=$2"
}

# all_healthy SERVICE COUNT [IMAGE]: COUNT running containers, all healthy, all of IMAGE.
all_healthy() {
    local service=$1 count=$2 want_image=${3:-} ids id
    mapfile -t ids < <(service_containers "$service" running)
    [ "${#ids[@]}" -eq "$count" ] || return 1
    for id in "${ids[@]}"; do
        is_healthy "$id" || return 1
        # Config.Image is the reference as given, with a digest only when a registry gave one.
        [[ -z "$want_image" || "$(docker inspect --format '{{.Config.Image}}' "$id")" == "$want_image"* ]] || return 1
    done
}

has_exited() { [ "$(docker inspect --format '{{.State.Status}}' "$1")" = exited ]; }

update_state() { docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' "$1"; }
update_is() { [ "$(update_state "$1")" = "$2" ]; }

service_logs() {
    local service=$1 id
    for id in $(service_containers "$service" exited) $(service_containers "$service" running); do
        docker logs "$id" 2>&1
    done
}

setup_swarm() {
    # A bridge with no ports: an address of its own for Swarm (the kernel here has no dummy module).
    ip link add "$swarm_link" type bridge
    ip addr add "$swarm_addr/32" dev "$swarm_link"
    ip link set "$swarm_link" up
    docker swarm init --advertise-addr "$swarm_addr" --listen-addr "$swarm_addr:2377" >/dev/null
}

# deploy STACK DATABASE REPLICAS: the stack of compose.yaml with $image:v1, its secret the URL of DATABASE.
deploy() {
    local stack=$1 database=$2 replicas=$3
    url "$database" >"$work/$stack.secret"
    stack_file "$replicas" >"$work/$stack.yaml"
    PGENTRY_IMAGE=$image PGENTRY_TAG=v1 DATABASE_URL_SECRET=$work/$stack.secret \
        docker stack deploy --compose-file "$work/$stack.yaml" "$stack" >"$work/deploy-$stack.log" 2>&1 ||
        fail "docker stack deploy $stack: $(cat "$work/deploy-$stack.log")"
    wait_until 180 "$replicas healthy tasks of $stack" all_healthy "${stack}_app" "$replicas"
}

check_swarm() {
    setup_swarm
    local expected
    expected=$(find "$repo/migrations" -name '*.sql' | wc -l)
    deploy pgds swarm 3
    local first
    first=$(service_logs pgds_app | grep -c '== Migrated' || true)
    [ "$first" -eq "$expected" ] || fail "swarm: $first '== Migrated' lines for $expected migrations"
    [ "$(sql swarm 'SELECT count(*) FROM schema_migrations')" -eq "$expected" ] || fail "swarm: history"
    # The secret as the long syntax asks (uid, gid, mode), whatever the source file's owner and mode.
    local secret_stat task
    task=$(service_containers pgds_app running | head -n 1)
    secret_stat=$(docker exec "$task" stat -c '%u:%g %a' /run/secrets/database_url)
    [ "$secret_stat" = "10001:10001 400" ] || fail "swarm: the secret is $secret_stat, not 10001:10001 400"
    note "swarm: 3 replicas healthy, $first migrations applied, each once; the secret in a task: $secret_stat"

    # Start-first rollout to an image with one more migration: applied once, the old tasks stopped with 0.
    local old_ids
    mapfile -t old_ids < <(service_containers pgds_app running)
    # The engine's events during the rollout: when each v2 task turned healthy, when each v1 task got SIGTERM.
    # The client itself, not the docker function: its pid is the one to stop.
    "$client" events --filter type=container \
        --format '{{.TimeNano}}|{{.Status}}|{{index .Actor.Attributes "image"}}|{{index .Actor.Attributes "signal"}}' \
        >"$work/rollout-events.log" 2>&1 &
    local events_pid=$!
    local start
    start=$(now_ms)
    docker service update --detach --image "$image:v2" pgds_app >/dev/null
    wait_until 300 "a completed rollout to v2" update_is pgds_app completed
    local rollout_s=$((($(now_ms) - start) / 1000))
    # "completed" is set once the last new task is up; the last old task may still be stopping then.
    wait_until 60 "3 healthy v2 tasks after the rollout" all_healthy pgds_app 3 "$image:v2"
    [ "$(migrated swarm "$new_version")" -eq 1 ] || fail "v2's migration is in the history $(migrated swarm "$new_version") times"
    local applied_new
    applied_new=$(service_logs pgds_app | grep -c "== Migrated $new_version" || true)
    [ "$applied_new" -eq 1 ] || fail "v2's migration applied by $applied_new tasks"
    local id code stopped=0
    for id in "${old_ids[@]}"; do
        wait_until 60 "the end of old task $id" has_exited "$id"
        code=$(docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$id")
        [ "$code" = "exited 0" ] || fail "an old task ended '$code', not 'exited 0'"
        # Into a file, then grep: `docker logs | grep -q` fails under pipefail when grep stops reading first and
        # the client dies of SIGPIPE (exit 141), as it did once for an old task that had logged SIGTERM.
        docker logs "$id" >"$work/old-task-$id.log" 2>&1
        grep -q 'SIGTERM' "$work/old-task-$id.log" || fail "old task $id did not log SIGTERM"
        stopped=$((stopped + 1))
    done
    kill "$events_pid" 2>/dev/null || true
    wait "$events_pid" 2>/dev/null || true
    note "swarm rollout v1 -> v2 (start-first, ${rollout_s} s): new migration applied 1 time, $stopped old tasks SIGTERM -> exit 0, 3 healthy"
    # Swarm stops an old task once the new one is healthy; the 30 s monitor delays none of it (docs/deployment.md).
    local healthy_ns sigterm_ns gaps=() k
    local events=$work/rollout-events.log
    mapfile -t healthy_ns < <(grep -F "|health_status: healthy|$image:v2" "$events" | cut -d'|' -f1 | sort -n)
    mapfile -t sigterm_ns < <(grep -E "^[0-9]+\|kill\|$image:v1[^|]*\|15\$" "$events" | cut -d'|' -f1 | sort -n)
    if [ "${#healthy_ns[@]}" -ne 3 ] || [ "${#sigterm_ns[@]}" -ne 3 ]; then
        fail "rollout events: ${#healthy_ns[@]} v2 tasks turned healthy, ${#sigterm_ns[@]} v1 tasks got SIGTERM"
    fi
    for k in 0 1 2; do
        gaps+=("$(((sigterm_ns[k] - healthy_ns[k]) / 1000000))")
        ((gaps[k] >= 0 && gaps[k] < 10000)) ||
            fail "old task $((k + 1)) got SIGTERM ${gaps[k]} ms after new task $((k + 1)) turned healthy"
    done
    note "swarm rollout: each old task got SIGTERM ${gaps[*]} ms after its new task turned healthy (monitor: 30 s)"

    # A migration that fails: the new task exits 70, Swarm rolls back, nothing of it stays in the database.
    start=$(now_ms)
    docker service update --detach --image "$image:bad" pgds_app >/dev/null
    wait_until 300 "a rollback from the failing image" update_is pgds_app rollback_completed
    local rollback_s=$((($(now_ms) - start) / 1000))
    wait_until 120 "3 healthy v2 tasks after the rollback" all_healthy pgds_app 3 "$image:v2"
    # What made Swarm roll back: the new task's migration failed, and pgentry exited 70 (SPEC).
    local failed=0
    for id in $(service_containers pgds_app exited); do
        [[ "$(docker inspect --format '{{.Config.Image}} {{.State.ExitCode}}' "$id")" == "$image:bad"*" 70" ]] &&
            failed=$((failed + 1))
    done
    ((failed >= 1)) || fail "no task of the failing image exited 70"
    [ "$(migrated swarm "$bad_version")" -eq 0 ] || fail "the failed migration is in the history"
    [ "$(sql swarm "SELECT count(*) FROM pg_tables WHERE tablename = 'half_applied'")" -eq 0 ] ||
        fail "the failed migration left its table"
    note "swarm failing migration: $failed task(s) exited 70, rolled back in ${rollback_s} s, nothing half-applied," \
        "3 healthy v2 tasks"
    docker stack rm pgds >/dev/null

    # 8 replicas released together on an empty database.
    deploy pgdf fresh 8
    local total
    total=$(service_logs pgdf_app | grep -c '== Migrated' || true)
    [ "$total" -eq "$expected" ] || fail "8 replicas: $total '== Migrated' lines for $expected migrations"
    [ "$(sql fresh 'SELECT count(*) FROM schema_migrations')" -eq "$expected" ] || fail "8 replicas: history"
    note "swarm 8 replicas on a fresh database: $total migrations applied, each once; 8 healthy"
    docker stack rm pgdf >/dev/null
}

main() {
    [ "$(id -u)" -eq 0 ] || { log "skipped: needs root (dockerd, iptables)"; exit 77; }
    command -v dockerd >/dev/null || { log "skipped: no dockerd (scripts/install-deps.sh docker)"; exit 77; }
    local started=$SECONDS
    work=$(mktemp -d /tmp/pgentry-docker-test.XXXXXX)
    chmod 755 "$work"
    trap teardown EXIT
    trap 'exit 130' INT TERM
    engine_start "$work"
    log "client: $("$client" version --format '{{.Client.Version}}'), engine $(docker version --format '{{.Server.Version}}')"
    local start
    start=$(now_ms)
    "$repo/scripts/docker-bases.sh"
    note "base images: $((($(now_ms) - start) / 1000)) s"
    setup_postgres
    build_images
    check_migrate_only
    check_healthcheck_and_stop
    check_tty_ctrl_c
    check_secret_file
    check_compose
    check_swarm
    note "total: $((SECONDS - started)) s"
    log "=== summary"
    printf '  %s\n' "${report[@]}" >&2
}

main "$@"
