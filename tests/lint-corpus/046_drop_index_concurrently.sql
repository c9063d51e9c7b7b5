-- migrate:up transaction:false
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
