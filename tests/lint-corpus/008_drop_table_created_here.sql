-- migrate:up
CREATE TABLE tmp_backfill (id bigint);
INSERT INTO tmp_backfill SELECT id FROM users WHERE email IS NULL;
UPDATE users SET email = id || '@example.invalid' WHERE id IN (SELECT id FROM tmp_backfill);
DROP TABLE tmp_backfill;
