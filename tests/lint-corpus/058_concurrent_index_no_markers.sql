CREATE INDEX CONCURRENTLY IF NOT EXISTS "Orders_Total_idx" ON public."Orders" ("Total");
