-- The example server counts its visits here.
-- migrate:up
CREATE TABLE visits (
    id bigserial PRIMARY KEY,
    path text NOT NULL,
    visited_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE visits;
