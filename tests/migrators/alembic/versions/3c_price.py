"""add items.price_cents

Revision ID: 3c
Revises: 2b
"""
from alembic import op
import sqlalchemy as sa

revision = "3c"
down_revision = "2b"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("items", sa.Column("price_cents", sa.BigInteger, nullable=False, server_default="0"))


def downgrade():
    op.drop_column("items", "price_cents")
