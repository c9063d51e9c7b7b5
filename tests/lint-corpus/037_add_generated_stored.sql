-- migrate:up
ALTER TABLE people ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED;
