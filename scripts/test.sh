#!/usr/bin/env bash
# The test command: dependencies, build, then every test against a throwaway PostgreSQL that
# pg_virtualenv starts and removes (it exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
# -t keeps its cluster in a temporary directory even as root, so a cluster left by a killed run, or
# another pg_virtualenv running, is no obstacle. ssl=off: the suite's server has no TLS, as
# SslRequiredByAServerWithoutSsl needs (the TLS cases make a cluster of their own); on a machine with
# ssl-cert's snakeoil certificate, postgresql-common would otherwise turn ssl on in every new cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build test
scripts/build.sh
# Two tests a core: most of a test's time is waiting (for the server, for pgentry's processes, for a lock
# timeout), and on 2 cores the suite took 248 s at -j2, 182 s at -j4 (2 December 2026), with a third of the CPU
# used at -j2.
pg_virtualenv -t -o max_connections=300 -o ssl=off ctest --test-dir build --output-on-failure -j"$(($(nproc) * 2))" "$@"
