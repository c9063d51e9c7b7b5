-- migrate:up
DROP TABLE IF EXISTS audit.login_attempts, audit.password_resets CASCADE;
