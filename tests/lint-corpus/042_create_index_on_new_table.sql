-- migrate:up
CREATE TABLE comments (id bigserial PRIMARY KEY, post_id bigint NOT NULL, body text NOT NULL);
CREATE INDEX comments_post_id_idx ON comments (post_id);
