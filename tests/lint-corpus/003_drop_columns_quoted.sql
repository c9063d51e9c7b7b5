-- migrate:up
ALTER TABLE "Orders"
    DROP COLUMN "ShippingNotes",
    DROP COLUMN "GiftWrap";
