-- migrate:up
ALTER TABLE users DROP COLUMN first_name, DROP COLUMN last_name;
DROP INDEX users_last_name_idx;
DROP TABLE user_name_history;
