CREATE TABLE users (id bigserial PRIMARY KEY);
-- a comment; with a semicolon
CREATE INDEX CONCURRENTLY users_id ON users (id);
