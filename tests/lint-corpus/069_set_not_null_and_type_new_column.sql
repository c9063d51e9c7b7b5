-- migrate:up
ALTER TABLE invoices ADD COLUMN currency text;
ALTER TABLE invoices ALTER COLUMN currency SET NOT NULL;
ALTER TABLE invoices DROP COLUMN currency;
