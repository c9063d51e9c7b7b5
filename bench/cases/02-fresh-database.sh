# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: 200 small migrations on a fresh database
# group: migrate
# method: Each migration is `CREATE TABLE t_N (id int PRIMARY KEY, note text); INSERT … 3 rows`. hyperfine
# method: `--prepare` drops and recreates the database before every run (not timed). `psql -X -v
# method: ON_ERROR_STOP=1 -f all.sql` runs the same SQL (the 200 up sections) in one session, in autocommit;
# method: pgentry and dbmate run one transaction per migration plus its history row.
# rows: "psql -f" pgentry dbmate
# baseline: psql -f
# metric: time_s ms scale=1000 stats=n,median,p90,ratio
# target: pgentry time_s median <= 1.0 x "psql -f"

measure() {
    local fresh="$PSQL -X -q -d '$(db_url postgres)' -c 'DROP DATABASE IF EXISTS fresh WITH (FORCE)' -c 'CREATE DATABASE fresh'"
    reset_commands
    add_command "psql -f" "$PSQL -X -q -v ON_ERROR_STOP=1 -d '$(db_url fresh)' -f $WORK/all.sql" "$fresh"
    if ((HAVE_PGENTRY)); then add_command pgentry "$(pgentry_migrate fresh "$APPLIED")" "$fresh"; fi
    add_command dbmate "$(dbmate_up fresh "$APPLIED")" "$fresh"
    hyperfine_rounds "$CASE" "$(runs 4 1)" "$(runs 4 2)" 1
}
