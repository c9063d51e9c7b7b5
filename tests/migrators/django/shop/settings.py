"""A minimal Django project for pgentry's --migrate-command tests: two apps, four migrations.

The database is DATABASE_URL (what pgentry sets for the migrate command), parsed here with the standard
library only: postgresql://USER:PASSWORD@HOST:PORT/DBNAME?key=value, percent-encoded parts decoded (a
Unix socket directory as HOST, as libpq accepts it). Query parameters (sslmode...) go to psycopg2.
"""
import os
from urllib.parse import parse_qsl, unquote, urlsplit


def database_from_url(url):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError("DATABASE_URL: expected a postgresql:// URL, got scheme %r" % parts.scheme)
    # Not parts.hostname: it lowercases, and a socket directory's name is case-sensitive.
    credentials, _, location = parts.netloc.rpartition("@")
    user, _, password = credentials.partition(":")
    if location.startswith("["):  # [IPv6]:port
        host, _, rest = location[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = location.partition(":")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(user),
        "PASSWORD": unquote(password),
        "HOST": unquote(host),
        "PORT": port,
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


SECRET_KEY = "pgentry-test-fixture-not-a-secret"
INSTALLED_APPS = ["accounts", "orders"]
DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
