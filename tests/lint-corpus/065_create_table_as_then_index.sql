-- migrate:up
CREATE TABLE daily_totals AS SELECT date_trunc('day', created_at) AS day, sum(total) AS total FROM orders GROUP BY 1;
CREATE INDEX daily_totals_day_idx ON daily_totals (day);
ALTER TABLE daily_totals ALTER COLUMN day SET NOT NULL;
