-- migrate:up
CREATE TABLE import_rows (id bigint PRIMARY KEY, payload jsonb, scratch text);
ALTER TABLE import_rows DROP COLUMN scratch;
