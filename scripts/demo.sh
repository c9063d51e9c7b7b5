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

main() {
    cd "$repo"
    say "installing packages (scripts/install-deps.sh build test)"
    scripts/install-deps.sh build test
    say "building (scripts/build.sh)"
    scripts/build.sh

    local port=${PORT:-8080}
    say "starting a throwaway PostgreSQL; then pgentry migrates and starts the server"
    echo "   open http://127.0.0.1:$port/ and http://127.0.0.1:$port/healthz; Ctrl-C stops everything" >&2
    # -t: a private cluster directory even as root, so another pg_virtualenv (tests, CI) is no obstacle.
    # The cluster's PG* variables are what pgentry and the server connect with: drop any URL from this shell.
    exec env -u DATABASE_URL -u DATABASE_URL_FILE PORT="$port" \
        pg_virtualenv -t build/pgentry --mode=run --migrations-dir=migrations -- build/examples/pgentry-example-server
}

main "$@"
