-- migrate:up
ALTER TABLE orders ADD COLUMN archived_at timestamptz;
CREATE INDEX CONCURRENTLY orders_archived_at_idx ON orders (archived_at) WHERE archived_at IS NULL;
DROP INDEX CONCURRENTLY IF EXISTS orders_old_archived_idx;
