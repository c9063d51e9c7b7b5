-- migrate:up
ALTER TABLE orders ALTER COLUMN id TYPE bigint;
