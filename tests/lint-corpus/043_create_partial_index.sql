-- migrate:up
CREATE INDEX orders_open_idx ON orders (customer_id) WHERE state = 'open';
