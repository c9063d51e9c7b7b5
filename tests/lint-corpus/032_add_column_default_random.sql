-- migrate:up
ALTER TABLE experiments ADD COLUMN bucket integer NOT NULL DEFAULT floor(random() * 100);
