"""content versions: templates and schedules edited in the console (issue 27)

Each file edited in the console has one draft and numbered published versions; the newest
published version overrides the file on disk.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "contentversion",
        sa.Column("id", sa.Integer(), primary_key=True),
        _str("kind", 10, False),
        _str("name", 200, False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _str("digest", 64, False),
        _str("note", 500, False),
        _str("author", 200, False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("reverted_from", sa.Integer(), nullable=True),
        sa.UniqueConstraint("kind", "name", "number", name="uq_contentversion_kind_name_number"),
    )
    op.create_index("ix_contentversion_name", "contentversion", ["name"])


def downgrade() -> None:
    op.drop_index("ix_contentversion_name", table_name="contentversion")
    op.drop_table("contentversion")
