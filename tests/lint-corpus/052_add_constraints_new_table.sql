-- migrate:up
CREATE TABLE line_items (id bigint, order_id bigint, qty int);
ALTER TABLE line_items ADD CONSTRAINT qty_positive CHECK (qty > 0);
ALTER TABLE line_items ADD CONSTRAINT line_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);
