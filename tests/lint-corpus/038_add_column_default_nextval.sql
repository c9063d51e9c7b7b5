-- migrate:up
CREATE SEQUENCE ticket_seq;
ALTER TABLE tickets ADD COLUMN number bigint DEFAULT nextval('ticket_seq');
