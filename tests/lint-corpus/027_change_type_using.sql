-- migrate:up
ALTER TABLE "Orders" ALTER COLUMN "Total" SET DATA TYPE numeric(12,2) USING "Total"::numeric;
