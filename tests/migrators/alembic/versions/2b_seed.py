"""seed items

A data migration: a revision run twice shows as a second seed row.

Revision ID: 2b
Revises: 1a
"""
from alembic import op

revision = "2b"
down_revision = "1a"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO items (id, name) SELECT coalesce(max(id), 0) + 1, 'seed' FROM items")


def downgrade():
    op.execute("DELETE FROM items WHERE name = 'seed'")
