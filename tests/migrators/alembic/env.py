"""Alembic's environment for pgentry's --migrate-command tests: online migrations only, against
DATABASE_URL (what pgentry sets for the migrate command). psycopg2 gets the URL as it is, so libpq reads
it exactly as pgentry did (a percent-encoded socket directory, sslmode, a key=value conninfo too)."""
import os
from logging.config import fileConfig

import psycopg2
import sqlalchemy
from alembic import context


# alembic.ini's loggers: "Running upgrade 1a -> 2b" lines on stderr, as `alembic upgrade` prints them.
fileConfig(context.config.config_file_name)


def run_migrations_online():
    url = os.environ["DATABASE_URL"]
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg2://", creator=lambda: psycopg2.connect(url), poolclass=sqlalchemy.pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
