-- migrate:up
-- A data migration: run twice, it leaves a second seed row.
INSERT INTO items (id, name) SELECT coalesce(max(id), 0) + 1, 'seed' FROM items;

-- migrate:down
DELETE FROM items WHERE name = 'seed';
