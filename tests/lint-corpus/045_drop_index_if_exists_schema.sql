-- migrate:up
DROP INDEX IF EXISTS app.accounts_slug_idx, app.accounts_name_idx;
