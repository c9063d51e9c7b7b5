-- migrate:up
CREATE TABLE api_tokens (id bigserial PRIMARY KEY);
ALTER TABLE api_tokens ADD COLUMN token_hash bytea NOT NULL;
