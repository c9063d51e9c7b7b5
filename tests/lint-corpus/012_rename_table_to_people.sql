-- migrate:up
ALTER TABLE users RENAME TO people;
