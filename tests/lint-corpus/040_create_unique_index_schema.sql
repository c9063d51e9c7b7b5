-- migrate:up
CREATE UNIQUE INDEX IF NOT EXISTS "Accounts_Slug_key" ON app."Accounts" USING btree (lower(slug));
