-- migrate:up
DROP TABLE sessions;
-- migrate:down
CREATE TABLE sessions (id text PRIMARY KEY, data jsonb);
