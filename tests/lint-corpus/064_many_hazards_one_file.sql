-- migrate:up
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(20,4);
ALTER TABLE accounts ADD COLUMN region text NOT NULL;
ALTER TABLE accounts ADD CONSTRAINT accounts_region_check CHECK (region <> '');
CREATE INDEX accounts_region_idx ON accounts (region);
ALTER TABLE accounts RENAME COLUMN balance TO balance_cents;
