-- migrate:up
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);

-- migrate:down
DROP TABLE items;
