#!/usr/bin/env bash
# The test command: dependencies, build, then every test against a throwaway PostgreSQL that
# pg_virtualenv starts and removes (it exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
set -euo pipefail
cd "$(dirname "$0")/.."

# As root, pg_virtualenv's cluster is 15/regress under /etc/postgresql; one killed mid-run (a stopped
# session) leaves it behind and every later pg_virtualenv refuses to start.
drop_stale_virtualenv_cluster() {
    local version
    version=$(pg_lsclusters -h 2>/dev/null | awk '$2 == "regress" { print $1; exit }')
    if [ -n "$version" ] && ! pgrep -x pg_virtualenv >/dev/null; then
        echo "test.sh: removing the stale pg_virtualenv cluster $version/regress" >&2
        pg_dropcluster --stop "$version" regress
    fi
}

scripts/install-deps.sh build test
scripts/build.sh
drop_stale_virtualenv_cluster
pg_virtualenv -o max_connections=300 ctest --test-dir build --output-on-failure -j"$(nproc)" "$@"
