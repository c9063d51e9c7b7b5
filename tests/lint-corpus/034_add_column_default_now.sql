-- migrate:up
ALTER TABLE jobs ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
