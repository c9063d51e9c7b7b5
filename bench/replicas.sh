#!/usr/bin/env bash
# Benchmark 4's command: N copies of one command started at once, like replicas booting together.
#   replicas.sh N COMMAND [ARG...]
# Exits once all have exited: 0 if every one exited 0, else 1 (naming how many failed).
set -euo pipefail

count=$1
shift
pids=()
for ((i = 0; i < count; i++)); do
    "$@" &
    pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do
    wait "$pid" || failed=$((failed + 1))
done
if ((failed > 0)); then
    echo "replicas.sh: $failed of $count failed" >&2
    exit 1
fi
