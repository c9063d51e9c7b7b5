#!/usr/bin/env bash
# Configures and builds into build/ (warnings are errors: PGENTRY_WERROR=ON; a user's build has it off).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" -DPGENTRY_WERROR=ON "$@" >/dev/null
cmake --build build -j"$(nproc)"
