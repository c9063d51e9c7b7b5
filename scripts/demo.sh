#!/usr/bin/env bash
# pgentry's story on one machine, no Docker needed (Debian 12): installs the packages, builds, starts a throwaway
# PostgreSQL and runs the example server under pgentry, which migrates first.
#   scripts/demo.sh            then open http://127.0.0.1:8080/ (PORT=... to change); Ctrl-C stops everything
# Ctrl-C reaches the server (pgentry gives it the terminal), it exits 0, pgentry exits with that code, and
# pg_virtualenv removes its cluster: nothing stays running.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
readonly repo

say() { printf '\n== %s\n' "$*" >&2; }

# As root, pg_virtualenv always names its cluster "regress" in /etc/postgresql, so only one can exist at a time.
refuse_second_root_cluster() {
    [ "$(id -u)" -eq 0 ] || return 0
    local existing
    for existing in /etc/postgresql/*/regress; do
        [ -d "$existing" ] || continue
        echo "demo: $existing exists: a pg_virtualenv cluster is already running (as root only one can)." >&2
        echo "demo: stop that one, or run the demo as a normal user (each then gets its own)." >&2
        exit 1
    done
}

main() {
    cd "$repo"
    say "installing packages (scripts/install-deps.sh build test)"
    scripts/install-deps.sh build test
    say "building (scripts/build.sh)"
    scripts/build.sh
    refuse_second_root_cluster

    local port=${PORT:-8080}
    say "starting a throwaway PostgreSQL; then pgentry migrates and starts the server"
    echo "   open http://127.0.0.1:$port/ and http://127.0.0.1:$port/healthz; Ctrl-C stops everything" >&2
    # The cluster's PG* variables are what pgentry and the server connect with: drop any URL from this shell.
    exec env -u DATABASE_URL -u DATABASE_URL_FILE PORT="$port" \
        pg_virtualenv build/pgentry --mode=run --migrations-dir=migrations -- build/examples/pgentry-example-server
}

main "$@"
