-- migrate:up
ALTER TABLE jobs ADD COLUMN enqueued_at timestamptz DEFAULT clock_timestamp();
