-- migrate:up
ALTER TABLE products ADD CONSTRAINT price_positive CHECK (price > 0);
