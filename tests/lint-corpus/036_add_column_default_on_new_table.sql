-- migrate:up
CREATE TABLE devices (id bigint PRIMARY KEY);
ALTER TABLE devices ADD COLUMN secret uuid NOT NULL DEFAULT gen_random_uuid();
