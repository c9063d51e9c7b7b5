-- migrate:up
DROP VIEW IF EXISTS active_users;
DROP SEQUENCE IF EXISTS invoice_number_seq;
