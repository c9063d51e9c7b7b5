-- migrate:up
ALTER TABLE "Inventory"."Items" ADD CONSTRAINT "Qty_NonNegative" CHECK ("Qty" >= 0);
