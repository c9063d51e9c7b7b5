-- migrate:up
CREATE TABLE authors (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (
    id bigserial PRIMARY KEY,
    author_id bigint NOT NULL REFERENCES authors (id),
    isbn text UNIQUE,
    title text NOT NULL
);
CREATE INDEX books_author_id_idx ON books (author_id);
ALTER TABLE books ADD COLUMN published date NOT NULL;
