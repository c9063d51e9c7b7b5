-- migrate:up
ALTER TABLE IF EXISTS billing.invoice RENAME TO invoices;
