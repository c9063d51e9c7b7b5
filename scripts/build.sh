#!/usr/bin/env bash
# Configures and builds into build/ (warnings are errors: PGENTRY_WERROR=ON; a user's build has it off), in
# the default build type (Release, CMakeLists.txt) unless BUILD_TYPE names another.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build ${BUILD_TYPE:+-DCMAKE_BUILD_TYPE="$BUILD_TYPE"} -DPGENTRY_WERROR=ON "$@" >/dev/null
cmake --build build -j"$(nproc)"
