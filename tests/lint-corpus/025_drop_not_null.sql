-- migrate:up
ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;
