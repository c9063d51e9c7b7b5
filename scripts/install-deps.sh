#!/usr/bin/env bash
# Installs what building, testing and benchmarking pgentry need, from Debian 12's packages only.
#   scripts/install-deps.sh [build] [test] [bench] [harden] [docker]      (default: build test)
# The Dockerfile's build stage calls it with "build"; CI with "build test".
set -euo pipefail

groups=("$@")
squawk=0
[ ${#groups[@]} -gt 0 ] || groups=(build test)

packages=()
for group in "${groups[@]}"; do
    case "$group" in
        # One Boost for build, CI and image: 1.81 (bookworm also has 1.74; Process v2 needs 1.80+).
        build) packages+=(g++ cmake make libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
                          libpq-dev libspdlog-dev libfmt-dev libssl-dev libpg-query-dev) ;;
        # Other tools' migrators for the --migrate-command tests (tests/migrators): Debian's Django, Alembic
        # (its CLI is the alembic package), psycopg2; dbmate is npm's, pinned in bench/package.json (below).
        # npm: squawk (squawk-cli), the linter the lint's agreement test compares with (tests/lint-corpus).
        test) packages+=(libgtest-dev postgresql postgresql-common util-linux procps iproute2
                         python3-jsonschema python3-yaml pgbouncer openssl
                         python3-django python3-alembic alembic python3-psycopg2)
              squawk=1
              command -v npm >/dev/null || packages+=(npm) ;;
        # npm only where Node.js did not bring its own (Debian's conflicts with NodeSource's nodejs).
        # python3-psycopg2: the app session of bench/cases/10-app-stall.sh.
        bench) packages+=(tini dumb-init catatonit hyperfine postgresql python3-psycopg2)
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
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# dbmate, the one migrator Debian does not package: the tests (tests/migrators/migrate) and the benchmarks use
# bench/node_modules, installed from bench/package.json's lock file (a build context holding only this script,
# as the Dockerfile's first layers, has none: nothing to install there).
bench="$(dirname "$0")/../bench"
if [[ " ${groups[*]} " == *" test "* ]] && [ -f "$bench/package-lock.json" ] &&
    [ ! -x "$bench/node_modules/@dbmate/linux-x64/bin/dbmate" ]; then
    (cd "$bench" && npm ci --no-audit --no-fund --loglevel=error)
fi

# squawk, the version tests/lint-corpus/package-lock.json pins (its Linux x64 package: npm ci refuses squawk-cli's
# lock file, which holds only the optional platform package of the machine that wrote it).
corpus="$(dirname "$0")/../tests/lint-corpus"
if [ "$squawk" = 1 ] && [ -f "$corpus/package-lock.json" ] &&
    [ ! -x "$corpus/node_modules/@squawk-cli/linux-x64/bin/squawk" ]; then
    (cd "$corpus" && npm ci --no-audit --no-fund --loglevel=error)
fi
