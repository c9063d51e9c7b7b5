#!/usr/bin/env bash
# End to end, shaped like the image under Docker and Swarm, from the kernel features Docker itself uses:
#
#   tests/e2e/container.sh BUILD_DIR        (root; exits 77, "skipped", otherwise)
#
# What runs is `cmake --install BUILD_DIR`, bind-mounted over /usr/local in each "container": its own PID,
# mount, UTS and network namespaces, pgentry as PID 1 (exec-form ENTRYPOINT), an unprivileged user (the image's
# USER), an /etc/hosts that maps host.docker.internal to the gateway (extra_hosts: host-gateway). The "Docker
# host" is a network namespace too, with a bridge on 10.231.0.1/24 and a PostgreSQL of the test's own listening
# there, so every address used lives in namespaces this test creates and removes.
#
# The image in a real engine is tests/docker/run.sh (migrate-only, the shims, PID 1, HEALTHCHECK, docker stop,
# compose, Swarm rollouts). This test keeps what that one does not check, in seconds and without building an
# image, on every run of the suite: a request in flight when SIGTERM comes is answered; the pages show the
# migrations; a rollout's CREATE INDEX CONCURRENTLY (transaction:false) under the lock; an old task restarted
# after the new image migrated boots with a warning.
set -euo pipefail

readonly run_id="pge2e$$"
readonly host_ns="$run_id-host"
readonly gateway=10.231.0.1
readonly http_port=8080
readonly new_version=20240910090000

work=""
pgbin=""
password=""
declare -A container_pids=()  # container name -> pid of its unshare, which exits with PID 1's status
declare -A namespaces=()     # network namespace names, as keys
last_exit=""                 # set by wait_exit, which cannot run in $(...): a subshell cannot wait for our jobs

# Runs as the namespace's PID 1 and becomes pgentry through execs, which keep PID 1, as the image's exec-form
# ENTRYPOINT does. Arguments: NAME WORK APP_DIR DATABASE_URL ENTRYPOINT [ARG...].
# shellcheck disable=SC2016  # expanded by the container's bash
readonly container_boot='
    name=$1 work=$2 app=$3 url=$4
    shift 4
    echo "$name" > /proc/sys/kernel/hostname
    mount --bind "$work/$name.hosts" /etc/hosts
    mount --bind "$work/root" /usr/local
    cd "$app"
    exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
        env -i PATH=/usr/local/bin:/usr/bin:/bin HOSTNAME="$name" PORT='"$http_port"' DATABASE_URL="$url" "$@"'

log() { printf '[e2e] %s\n' "$*" >&2; }

fail() {
    log "FAIL: $*"
    exit 1
}

# shellcheck source=tests/lib/wait_until.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/wait_until.sh"

teardown() {
    local status=$?
    set +e
    local name
    for name in "${!container_pids[@]}"; do
        kill -KILL "$(init_pid "$name")" "${container_pids[$name]}" 2>/dev/null
        wait "${container_pids[$name]}" 2>/dev/null
    done
    if [ -n "$pgbin" ] && [ -f "$work/pg/data/postmaster.pid" ]; then
        runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null
    fi
    for name in "${!namespaces[@]}"; do ip netns delete "$name"; done
    if [ "$status" -ne 0 ] && [ -n "$work" ]; then
        for name in "$work"/*.log "$work/pg/log"; do
            [ -f "$name" ] && { log "--- $name"; tail -n 30 "$name" >&2; }
        done
    fi
    [ -n "$work" ] && rm -rf "$work"
    exit "$status"
}

# --- the Docker host ------------------------------------------------------------------------------------------

setup_host() {
    work=$(mktemp -d /tmp/pgentry-e2e.XXXXXX)
    chmod 755 "$work"  # the containers' user reads the install tree and the app directories
    cmake --install "$build_dir" --prefix "$work/root" >/dev/null

    ip netns add "$host_ns"
    namespaces[$host_ns]=1
    ip -n "$host_ns" link set lo up
    ip -n "$host_ns" link add br0 type bridge
    ip -n "$host_ns" addr add "$gateway/24" dev br0
    ip -n "$host_ns" link set br0 up
}

# A cluster of the test's own: the one in PG* listens on localhost only, and it is not ours to reconfigure.
start_postgres() {
    pgbin=$(dirname "$(find /usr/lib/postgresql -path '*/bin/initdb' | sort -V | tail -n 1)")
    [ -x "$pgbin/initdb" ] || fail "no PostgreSQL server installed (scripts/install-deps.sh test)"
    password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    install -d -o postgres -g postgres -m 700 "$work/pg"
    printf '%s\n' "$password" | install -o postgres -m 600 /dev/stdin "$work/pg/password"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/pg/data" -U postgres --pwfile="$work/pg/password" \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    echo "host all postgres $gateway/24 scram-sha-256" >>"$work/pg/data/pg_hba.conf"
    ip netns exec "$host_ns" runuser -u postgres -- \
        "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -t 60 \
        -o "-c listen_addresses=$gateway -c port=5432 -c unix_socket_directories=$work/pg" start >/dev/null
}

sql() {
    "$pgbin/psql" -h "$work/pg" -p 5432 -U postgres -d "$1" -XAtq -v ON_ERROR_STOP=1 -c "$2"
}

create_database() {
    sql postgres "CREATE DATABASE $1"
}

database_url() {
    echo "postgres://postgres:$password@host.docker.internal:5432/$1"
}

# An app directory as the image lays it out: WORKDIR with migrations/ in it. Extra files simulate a newer image.
make_app() {
    local dir=$work/$1
    shift
    mkdir -p "$dir"
    cp -r "$work/root/share/pgentry/example/migrations" "$dir/"
    for extra in "$@"; do cp "$extra" "$dir/migrations/"; done
    chmod -R a+rX "$dir"
}

# --- containers -----------------------------------------------------------------------------------------------

# start_container NAME ADDRESS APP DATABASE ENTRYPOINT [ARG...]: like `docker run -d`, on the host's bridge.
start_container() {
    local name=$1 address=$2 app=$3 database=$4
    shift 4
    local ns="$run_id-$name"
    ip netns add "$ns"
    namespaces[$ns]=1
    ip -n "$host_ns" link add "v-$name" type veth peer name eth0 netns "$ns"
    ip -n "$host_ns" link set "v-$name" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$address/24" dev eth0
    ip -n "$ns" link set eth0 up
    printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\t%s\n%s\thost.docker.internal\n' \
        "$address" "$name" "$gateway" >"$work/$name.hosts"
    ip netns exec "$ns" unshare --pid --fork --kill-child --mount-proc --uts \
        bash -c "$container_boot" boot "$name" "$work" "$work/$app" "$(database_url "$database")" "$@" \
        >"$work/$name.log" 2>&1 &
    container_pids[$name]=$!
}

# The host pid of the container's PID 1: the child of its unshare.
init_pid() {
    pgrep -P "${container_pids[$1]}"
}

running() {
    local state
    state=$(ps -o stat= -p "$1") && [[ $state != Z* ]]
}

# wait_exit NAME SECONDS: wait for the container to end, set last_exit to PID 1's exit code, remove its network.
wait_exit() {
    local name=$1 pid=${container_pids[$1]}
    wait_until "$2" "exit of $name" eval "! running $pid"
    last_exit=0
    wait "$pid" || last_exit=$?
    unset "container_pids[$name]"
    # The pair goes now: deleting the namespace frees it asynchronously, and a restarted task reuses its name.
    ip -n "$host_ns" link delete "v-$name"
    ip netns delete "$run_id-$name"
    unset "namespaces[$run_id-$name]"
}

# GET from the Docker host, as a client or a load balancer there would.
http_get() {
    # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
    ip netns exec "$host_ns" timeout 5 bash -c '
        exec 3<>"/dev/tcp/$1/$2"
        printf "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3
        cat <&3' http_get "$1" "$http_port" "$2"
}

healthy() {
    local name=$1 address=$2 response
    running "${container_pids[$name]}" || fail "$name exited before it was healthy (its log follows)"
    response=$(http_get "$address" /healthz 2>/dev/null) && [[ $response == "HTTP/1.1 200 "* ]]
}

wait_healthy() {
    wait_until 60 "healthy $1 at $2" healthy "$1" "$2"
}

expect_equal() {
    [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"
}

expect_log() {
    grep -Eq -- "$2" "$work/$1.log" || fail "$1's log has no line matching '$2'"
}

# How many of the containers' logs, together, record applying VERSION.
times_applied() {
    local version=$1
    shift
    cat "$@" | grep -c -- "== Migrated $version" || true
}

# --- scenarios ------------------------------------------------------------------------------------------------

# docker run IMAGE: pgentry waits, migrates and supervises the app as PID 1; docker stop: graceful, exit 0.
test_run_and_stop() {
    log "run: pgentry as PID 1 migrates and supervises the example server"
    create_database app
    start_container web 10.231.0.11 app-v1 app /usr/local/bin/pgentry /usr/local/bin/pgentry-example-server
    wait_healthy web 10.231.0.11

    local pid
    pid=$(init_pid web)
    expect_equal "applied migrations" "$(sql app 'SELECT count(*) FROM schema_migrations')" 4
    expect_log web '== Migrated 20240902080000'

    local page
    page=$(http_get 10.231.0.11 /)
    [[ $page == *"20240902080000"*"add_visits"* ]] || fail "GET / lists no migrations: $page"
    expect_equal "visits" "$(sql app 'SELECT count(*) FROM visits')" 1

    log "stop: SIGTERM to PID 1 with a request in flight"
    # shellcheck disable=SC2016  # expanded by the inner bash, from its arguments
    ip netns exec "$host_ns" timeout 30 bash -c '
        exec 3<>"/dev/tcp/$1/$2"
        printf "GET /healthz HTTP/1.1\r\n" >&3
        until [ -e "$3.go" ]; do sleep 0.05; done
        printf "Host: e2e\r\nConnection: close\r\n\r\n" >&3
        cat <&3 >"$3"' in_flight 10.231.0.11 "$http_port" "$work/in-flight" &
    local client=$!
    wait_until 10 "accepted in-flight connection" eval \
        "ip netns exec $run_id-web ss -Htnp state established '( sport = :$http_port )' |
         grep -q pgentry-example"
    kill -TERM "$pid"
    wait_until 10 "server's stop message" grep -q 'no new connections' "$work/web.log"
    if http_get 10.231.0.11 /healthz >/dev/null 2>&1; then
        fail "web still accepts connections after SIGTERM"
    fi
    touch "$work/in-flight.go"
    wait "$client" || fail "the in-flight client failed"
    [[ $(head -n 1 "$work/in-flight") == "HTTP/1.1 200 "* ]] ||
        fail "in-flight request got: $(cat "$work/in-flight")"
    wait_exit web 30
    expect_equal "web's exit code after SIGTERM" "$last_exit" 0
    expect_log web 'stopped'
}

# docker stack deploy with replicas: 3 on an empty database, then a rollout of an image with one more migration
# while an old task restarts.
test_replicas() {
    log "replicas: three tasks start at once on an empty database"
    create_database swarm
    local i
    for i in 1 2 3; do
        start_container "task-$i" "10.231.0.2$i" app-v1 swarm \
            /usr/local/bin/pgentry /usr/local/bin/pgentry-example-server
    done
    for i in 1 2 3; do wait_healthy "task-$i" "10.231.0.2$i"; done
    expect_equal "applied migrations" "$(sql swarm 'SELECT count(*) FROM schema_migrations')" 4
    local version
    for version in 20240705205730 20240712093000 20240801120000 20240902080000; do
        expect_equal "tasks that applied $version" "$(times_applied "$version" "$work"/task-?.log)" 1
    done
    for i in 1 2 3; do
        [[ $(http_get "10.231.0.2$i" /) == *"on task-$i"* ]] || fail "task-$i does not serve its own page"
    done

    log "rollout: a new image's task migrates; an old task restarted afterwards still boots"
    start_container task-4 10.231.0.24 app-v2 swarm /usr/local/bin/pgentry /usr/local/bin/pgentry-example-server
    wait_healthy task-4 10.231.0.24
    expect_equal "applied after the rollout" "$(sql swarm 'SELECT count(*) FROM schema_migrations')" 5
    expect_equal "tasks that applied $new_version" "$(times_applied "$new_version" "$work"/task-?.log)" 1

    kill -TERM "$(init_pid task-1)"
    wait_exit task-1 30
    expect_equal "task-1's exit code" "$last_exit" 0
    mv "$work/task-1.log" "$work/task-1-first.log"
    start_container task-1 10.231.0.21 app-v1 swarm /usr/local/bin/pgentry /usr/local/bin/pgentry-example-server
    wait_healthy task-1 10.231.0.21
    expect_log task-1 "\[warn\].*$new_version"

    for i in 1 2 3 4; do
        kill -TERM "$(init_pid "task-$i")"
        wait_exit "task-$i" 30
        expect_equal "task-$i's exit code" "$last_exit" 0
    done
}

main() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "skipped: namespaces, veth pairs and a PostgreSQL of its own need root"
        exit 77
    fi
    build_dir=$(cd "${1:?usage: container.sh BUILD_DIR}" && pwd)
    readonly build_dir
    trap teardown EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM

    setup_host
    start_postgres
    make_app app-v1
    # The next image's migration: CREATE INDEX CONCURRENTLY, run outside a transaction while the lock is held.
    printf '%s\n' '-- migrate:up transaction:false' \
        'CREATE INDEX CONCURRENTLY visits_path_index ON visits (path);' '' \
        '-- migrate:down transaction:false' 'DROP INDEX CONCURRENTLY visits_path_index;' \
        >"$work/${new_version}_index_visits.sql"
    make_app app-v2 "$work/${new_version}_index_visits.sql"

    test_run_and_stop
    test_replicas
    log "passed"
}

main "$@"
