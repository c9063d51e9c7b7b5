-- migrate:up
ALTER TABLE users ADD COLUMN username text UNIQUE;
