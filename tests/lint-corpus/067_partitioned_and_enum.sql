-- migrate:up
CREATE TYPE order_state AS ENUM ('open', 'paid', 'shipped');
ALTER TYPE order_state ADD VALUE 'refunded';
CREATE TABLE metrics (at timestamptz NOT NULL, v real) PARTITION BY RANGE (at);
CREATE TABLE metrics_2024 PARTITION OF metrics FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
