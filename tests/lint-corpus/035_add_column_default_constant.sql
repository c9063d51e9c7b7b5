-- migrate:up
ALTER TABLE users ADD COLUMN settings jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE users ADD COLUMN status text DEFAULT 'active';
ALTER TABLE users ADD COLUMN score integer DEFAULT 10;
