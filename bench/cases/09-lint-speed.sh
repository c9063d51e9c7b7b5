# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: Lint speed: 1,000 migration files, pgentry --mode=lint vs squawk
# group: migrate
# method: 1,000 files made of the 71 migrations of `tests/lint-corpus/` (each file several times, renamed
# method: `NNNN_NAME.sql`, so every rule's finding, non-finding and syntax is there ~14 times). hyperfine -N
# method: (`--warmup`, interleaved rounds, runs pooled, `--ignore-failure`: both exit 1 on findings):
# method: `pgentry --mode=lint --migrations-dir=D` (no database) vs `squawk --reporter gcc 'D/*.sql'`
# method: (squawk-cli as pinned in tests/lint-corpus/package.json; it expands the pattern itself), stdout to
# method: /dev/null. pgentry judges each file alone, as `--mode=lint` does; squawk runs its default rules.
# rows: squawk pgentry
# baseline: squawk
# metric: time_s ms scale=1000 stats=n,median,p90,ratio
# target: pgentry time_s median <= 1.0 x squawk

measure() {
    if [ ! -x "$SQUAWK" ]; then
        skip_case "$CASE" "no squawk at $SQUAWK (scripts/install-deps.sh test)"
        return 0
    fi
    local dir=$WORK/lint-files i=0 source
    local -a corpus=("$ROOT"/tests/lint-corpus/*.sql)
    mkdir -p "$dir"
    while ((i < 1000)); do
        for source in "${corpus[@]}"; do
            ((i < 1000)) || break
            i=$((i + 1))
            local name=${source##*/}
            cp "$source" "$dir/$(printf %04d "$i")_${name#*_}"
        done
    done
    reset_commands
    add_command squawk "$SQUAWK --reporter gcc '$dir/*.sql'"
    if ((HAVE_PGENTRY)); then add_command pgentry "$PGENTRY --mode=lint --migrations-dir=$dir"; fi
    hyperfine_rounds "$CASE" "$(runs 4 1)" "$(runs 10 2)" "$(runs 2 1)" --ignore-failure
}
