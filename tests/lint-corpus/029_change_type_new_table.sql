-- migrate:up
CREATE TABLE measurements (id bigint, value real);
ALTER TABLE measurements ALTER COLUMN value TYPE double precision;
