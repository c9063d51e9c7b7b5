-- migrate:up
ALTER TABLE posts ADD COLUMN published_at timestamptz;
