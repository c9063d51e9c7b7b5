-- migrate:up
ALTER TABLE users ALTER COLUMN locale SET DEFAULT 'en';
