-- migrate:up
CREATE TABLE widget (id serial PRIMARY KEY, label text);
ALTER TABLE widget RENAME TO widgets;
ALTER TABLE widgets RENAME COLUMN label TO name;
