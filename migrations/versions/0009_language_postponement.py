"""language and postponement: the lead's language, the message's, and a sale date that moved later

Issue 25: each lead reads one language (lead.language, "en" by default, with the reason it is that
one), and each message records the language it was rendered in (message.language). Issue 24: a set
sale date that moves later is a postponement; the lead keeps the date it moved from and when we
learned it, so the planner can send the postponement message once for each.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.add_column("lead", sa.Column("sale_postponed_from", sa.Date(), nullable=True))
    op.add_column("lead", sa.Column("sale_postponed_at", sa.DateTime(), nullable=True))
    op.add_column("lead", sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False,
                                    server_default="en"))
    op.add_column("lead", _str("language_reason", 200))
    op.add_column("message", _str("language", 5))


def downgrade() -> None:
    op.drop_column("message", "language")
    for name in ("language_reason", "language", "sale_postponed_at", "sale_postponed_from"):
        op.drop_column("lead", name)
