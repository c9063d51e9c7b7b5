#!/usr/bin/env bash
# Installs what building, testing and benchmarking pgentry need, from Debian 12's packages only.
#   scripts/install-deps.sh [build] [test] [bench] [harden] [docker]      (default: build test)
# The Dockerfile's build stage calls it with "build"; CI with "build test".
set -euo pipefail

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

packages=()
for group in "${groups[@]}"; do
    case "$group" in
        # One Boost for build, CI and image: 1.81 (bookworm also has 1.74; Process v2 needs 1.80+).
        build) packages+=(g++ cmake make libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
                          libpq-dev libspdlog-dev libfmt-dev libssl-dev) ;;
        test) packages+=(libgtest-dev postgresql postgresql-common util-linux procps iproute2
                         python3-jsonschema python3-yaml pgbouncer openssl) ;;
        # npm only where Node.js did not bring its own (Debian's conflicts with NodeSource's nodejs).
        bench) packages+=(tini dumb-init catatonit hyperfine postgresql)
               command -v npm >/dev/null || packages+=(npm) ;;
        # scripts/fuzz.sh (clang's libFuzzer and sanitizer runtimes), scripts/valgrind.sh, scripts/lint.sh.
        harden) packages+=(clang libclang-rt-14-dev valgrind clang-format-16 clang-tidy) ;;
        # tests/docker/run.sh: a real engine (Debian's 20.10, BuildKit built in), compose v1, the base images made
        # from Debian's packages (scripts/docker-bases.sh), a PostgreSQL on the bridge, script(1) for a pty.
        docker) packages+=(docker.io docker-compose mmdebstrap iptables iproute2 postgresql util-linux bsdutils) ;;
        *) echo "install-deps.sh: unknown group '$group' (build, test, bench, harden, docker)" >&2; exit 64 ;;
    esac
done

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
