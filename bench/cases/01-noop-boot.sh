# shellcheck shell=bash  # a case: bench/run.sh sources it and calls measure
# title: No-op boot: 200 applied migrations, nothing pending
# group: migrate
# method: hyperfine -N (`--warmup`, interleaved rounds, runs pooled). pgentry `--mode=migrate-only
# method: --migrations-dir=D` and `dbmate --migrations-dir D --no-dump-schema up`, each on its own database
# method: holding the 200 (dbmate's `schema_migrations` has a varchar version), vs `psql -X -Atc 'select 1'`.
# method: All over TCP to 127.0.0.1 with the same URL form and SCRAM password, SSL off.
# rows: psql pgentry dbmate
# baseline: psql
# metric: time_s ms scale=1000 stats=n,median,p90,ratio
# target: pgentry time_s median <= 1.1 x psql

measure() {
    reset_commands
    add_command psql "$PSQL -X -Atc 'select 1' -d '$(db_url noop_pgentry)'"
    if ((HAVE_PGENTRY)); then add_command pgentry "$(pgentry_migrate noop_pgentry "$APPLIED")"; fi
    add_command dbmate "$(dbmate_up noop_dbmate "$APPLIED")"
    hyperfine_rounds "$CASE" "$(runs 4 1)" "$(runs 30 3)" "$(runs 3 1)"
}
