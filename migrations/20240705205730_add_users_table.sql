-- The story's first migration: users with a unique email.
-- migrate:up
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    first_name text NOT NULL,
    last_name text NOT NULL,
    email text NOT NULL,
    inserted_at timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX users_email_index ON users (email);

-- migrate:down
DROP TABLE users;
