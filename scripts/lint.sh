#!/usr/bin/env bash
# Static analysis: clang-format must leave the code as it is, and clang-tidy (.clang-tidy) must find nothing
# in the programs' sources. Needs the `harden` packages (scripts/install-deps.sh harden).
#   scripts/lint.sh [format|tidy|all]      (default: all; CI runs format, clang-tidy takes minutes on 2 cores)
#   scripts/lint.sh fix                    rewrite every source as .clang-format says (braces, include order)
set -euo pipefail
cd "$(dirname "$0")/.."

sources() { git ls-files 'src/*.cpp' 'src/*.hpp' 'entrypoint/*.cpp' 'examples/*.cpp' 'examples/*.hpp' 'tests/*.cpp' 'tests/*.hpp'; }

# .clang-format needs clang-format 16 (InsertBraces); Debian 12's plain clang-format is 14.
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-16}
command -v "$CLANG_FORMAT" >/dev/null || {
    echo "lint.sh: no $CLANG_FORMAT (scripts/install-deps.sh harden installs it)" >&2
    exit 69
}

check_format() {
    local unformatted
    # Without --Werror a style file this clang-format cannot read would pass unnoticed.
    unformatted=$(sources | xargs "$CLANG_FORMAT" --dry-run 2>&1 | grep -c 'warning:\|error:' || true)
    if [ "$unformatted" -ne 0 ]; then
        sources | xargs "$CLANG_FORMAT" --dry-run 2>&1 | grep 'warning:\|error:' | head -20 >&2
        echo "lint.sh: $unformatted places differ from .clang-format (run: scripts/lint.sh fix)" >&2
        return 1
    fi
}

fix_format() {
    sources | xargs "$CLANG_FORMAT" -i
}

check_tidy() {
    cmake -S . -B build-lint -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DPGENTRY_TESTS=OFF >/dev/null
    run-clang-tidy -quiet -p build-lint -j "$(nproc)" 'src/|entrypoint/|examples/' >build-lint/tidy.log 2>&1 || {
        grep -E 'warning:|error:' build-lint/tidy.log | head -40 >&2
        echo "lint.sh: clang-tidy found problems (build-lint/tidy.log)" >&2
        return 1
    }
}

case "${1:-all}" in
    format) check_format ;;
    tidy) check_tidy ;;
    all) check_format && check_tidy ;;
    fix) fix_format ;;
    *) echo "usage: scripts/lint.sh [format|tidy|all|fix]" >&2; exit 64 ;;
esac
echo "lint.sh: ${1:-all} clean"
