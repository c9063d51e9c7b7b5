#!/usr/bin/env bash
# The chaos run (see chaos.py for what it does and checks). Defaults: CHAOS_SEED=20261125, CHAOS_ROUNDS=100,
# BUILD_DIR=build. Examples:
#   tests/chaos/chaos.sh                              # 100 rounds, the documented seed
#   tests/chaos/chaos.sh --rounds 200                 # the long run of docs/reliability.md
#   tests/chaos/chaos.sh --round 37 --keep            # replay one round and keep its logs
#   CHAOS_ROUNDS=10 tests/chaos/chaos.sh              # a short run for CI
#   tests/chaos/chaos.sh --cold-start --rounds 10     # 30 replicas per round, the server started under them
set -euo pipefail

main() {
    local here
    here=$(cd "$(dirname "$0")" && pwd)
    command -v python3 >/dev/null || { echo "chaos.sh: python3 is needed" >&2; exit 2; }
    exec python3 "$here/chaos.py" "$@"
}

main "$@"
