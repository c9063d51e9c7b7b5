-- migrate:up
ALTER TABLE sales.customers ALTER COLUMN note TYPE text;
