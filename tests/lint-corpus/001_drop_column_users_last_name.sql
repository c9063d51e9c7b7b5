-- migrate:up
ALTER TABLE users DROP COLUMN last_name;

-- migrate:down
ALTER TABLE users ADD COLUMN last_name text;
