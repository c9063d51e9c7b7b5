-- migrate:up
ALTER TABLE users ADD COLUMN display_name text;
UPDATE users SET display_name = first_name || ' ' || last_name WHERE display_name IS NULL;
COMMENT ON COLUMN users.display_name IS 'replaces first_name/last_name';
