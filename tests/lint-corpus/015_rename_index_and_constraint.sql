-- migrate:up
ALTER INDEX users_email_idx RENAME TO users_email_index;
ALTER TABLE users RENAME CONSTRAINT users_age_check TO users_age_positive;
