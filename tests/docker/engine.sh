# shellcheck shell=bash
# A Docker engine of the test's own, for tests/docker/run.sh (sourced; root).
#
#   engine_start WORK       start dockerd; export DOCKER_HOST; remember what it changes on the host
#   engine_stop             stop it and undo those changes: docker0, docker_gwbridge, iptables, ip_forward
#
# The engine has its own --data-root and --exec-root, so nothing of a docker.io the machine already runs or ran
# (images, a Swarm it joined, /var/run/docker.sock) is touched or used. PGENTRY_DOCKER_ROOT keeps the data root
# between runs (built layers, the base images); without it the data root is a fresh directory, removed at the end.
# There is no systemd here: dockerd runs as our child, tracked by its pid.
#
# What dockerd changes outside its directories, and undoes only partly when stopped: the docker0 and
# docker_gwbridge bridges, its chains in iptables' filter and nat tables (left behind on exit, moby/moby#12592),
# net.ipv4.ip_forward. The tables are saved before the start and restored after the stop, so a DOCKER chain
# left by an earlier manual start stays as it was found.

engine_pid=""
engine_work=""
engine_data=""
engine_data_is_ours=0
engine_exec=""
engine_ip_forward=""
engine_links=(docker0 docker_gwbridge)

engine_log() { printf '[docker] %s\n' "$*" >&2; }

# engine_start WORK: WORK is the caller's scratch directory (for logs and the saved tables).
engine_start() {
    engine_work=$1
    local table
    for table in filter nat; do
        iptables-save -t "$table" >"$engine_work/iptables-$table.rules"
    done
    engine_ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
    local link
    for link in "${engine_links[@]}"; do
        ! ip link show "$link" >/dev/null 2>&1 || engine_log "note: $link exists already; it is removed at the end"
    done
    if [ -n "${PGENTRY_DOCKER_ROOT:-}" ]; then
        engine_data=$PGENTRY_DOCKER_ROOT
        mkdir -p "$engine_data"
    else
        engine_data=$(mktemp -d /var/tmp/pgentry-docker.XXXXXX)
        engine_data_is_ours=1
    fi
    # A short path: the engine's sockets live here, and a Unix socket path has at most 107 bytes.
    engine_exec=$(mktemp -d /run/pgentry-docker.XXXXXX)
    export DOCKER_HOST="unix://$engine_exec/docker.sock"
    dockerd --data-root "$engine_data" --exec-root "$engine_exec" --pidfile "$engine_exec/dockerd.pid" \
        --host "$DOCKER_HOST" >"$engine_work/dockerd.log" 2>&1 &
    engine_pid=$!
    local deadline=$((SECONDS + 60))
    until docker info >/dev/null 2>&1; do
        kill -0 "$engine_pid" 2>/dev/null || { tail -n 20 "$engine_work/dockerd.log" >&2; return 1; }
        ((SECONDS < deadline)) || { engine_log "dockerd did not answer within 60 s"; return 1; }
        sleep 0.2
    done
    engine_log "dockerd $engine_pid up (data root $engine_data)"
}

# An iptables-save dump without its comments and packet counters.
engine_rules() { grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'; }

# Unmounts whatever is still mounted under DIR (overlay layers, network namespaces of a killed engine).
engine_unmount_under() {
    local dir=$1 target
    findmnt -rn -o TARGET | grep -F "$dir/" | sort -r | while read -r target; do
        umount -l "$target" 2>/dev/null
    done
}

engine_stop() {
    [ -n "$engine_work" ] || return 0
    if [ -n "$engine_pid" ] && kill -0 "$engine_pid" 2>/dev/null; then
        docker swarm leave --force >/dev/null 2>&1
        # dockerd stops its containers (their stop timeouts) and its containerd on SIGTERM.
        kill -TERM "$engine_pid"
        local deadline=$((SECONDS + 30))
        while kill -0 "$engine_pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
        kill -KILL "$engine_pid" 2>/dev/null
        wait "$engine_pid" 2>/dev/null
    fi
    engine_pid=""
    local link
    for link in "${engine_links[@]}"; do ip link delete "$link" 2>/dev/null; done
    local table
    for table in filter nat; do
        [ -f "$engine_work/iptables-$table.rules" ] || continue
        iptables-restore -T "$table" <"$engine_work/iptables-$table.rules"
        cmp -s <(engine_rules <"$engine_work/iptables-$table.rules") <(iptables-save -t "$table" | engine_rules) ||
            engine_log "warning: iptables' $table table differs from what it was before dockerd started"
    done
    [ -z "$engine_ip_forward" ] || echo "$engine_ip_forward" >/proc/sys/net/ipv4/ip_forward
    # Last: removing a data root of a few GB takes a while.
    [ -z "$engine_exec" ] || { engine_unmount_under "$engine_exec"; rm -rf "$engine_exec"; }
    engine_unmount_under "$engine_data"
    [ "$engine_data_is_ours" -eq 0 ] || rm -rf "$engine_data"
    engine_work=""
}
