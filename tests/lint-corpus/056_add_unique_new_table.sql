-- migrate:up
CREATE TABLE slugs (id bigint, slug text);
ALTER TABLE slugs ADD CONSTRAINT slugs_slug_key UNIQUE (slug);
