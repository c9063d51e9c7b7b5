-- migrate:up
-- pgentry:allow ban-drop-column
ALTER TABLE users DROP COLUMN middle_name;
