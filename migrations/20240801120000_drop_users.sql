-- migrate:up
DROP TABLE users;

-- migrate:down
CREATE TABLE users (
    id bigserial PRIMARY KEY,
    first_name text NOT NULL,
    email text NOT NULL,
    inserted_at timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at timestamp(0) NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE UNIQUE INDEX users_email_index ON users (email);
