"""create items

Revision ID: 1a
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "1a"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("items", sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("name", sa.Text, nullable=False))


def downgrade():
    op.drop_table("items")
