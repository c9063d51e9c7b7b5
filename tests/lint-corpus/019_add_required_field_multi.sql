-- migrate:up
ALTER TABLE "Products"
    ADD COLUMN "Sku" text NOT NULL,
    ADD COLUMN weight_grams integer;
