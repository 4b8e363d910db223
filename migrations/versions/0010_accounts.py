"""accounts, API keys and the audit trail (issue 27)

People sign in to the console with their own account and role (account); integrations use named,
scoped, revocable keys kept only as hashes (apikey); every change someone makes is recorded with
its author (auditentry).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), primary_key=True),
        _str("name", 64, False),
        _str("role", 20, False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("session_generation", sa.Integer(), nullable=False),
        sa.Column("failed_signins", sa.Integer(), nullable=False),
        _ts("locked_until"),
        _ts("disabled_at"),
        _ts("last_signin_at"),
        _ts("created_at", False),
        _str("created_by", 200),
    )
    op.create_index("ix_account_name", "account", ["name"], unique=True)
    op.create_table(
        "apikey",
        sa.Column("id", sa.Integer(), primary_key=True),
        _str("name", 64, False),
        _str("scope", 20, False),
        _str("prefix", 16, False),
        _str("key_hash", 64, False),
        _ts("created_at", False),
        _str("created_by", 200),
        _ts("revoked_at"),
        _str("revoked_by", 200),
        _ts("last_used_at"),
    )
    op.create_index("ix_apikey_name", "apikey", ["name"], unique=True)
    op.create_index("ix_apikey_key_hash", "apikey", ["key_hash"], unique=True)
    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ts("at", False),
        _str("actor", 200, False),
        _str("action", 60, False),
        _str("target_kind", 30, False),
        _str("target", 200, False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_auditentry_at", "auditentry", ["at"])
    op.create_index("ix_auditentry_target", "auditentry", ["target_kind", "target"])


def downgrade() -> None:
    op.drop_index("ix_auditentry_target", table_name="auditentry")
    op.drop_index("ix_auditentry_at", table_name="auditentry")
    op.drop_table("auditentry")
    op.drop_index("ix_apikey_key_hash", table_name="apikey")
    op.drop_index("ix_apikey_name", table_name="apikey")
    op.drop_table("apikey")
    op.drop_index("ix_account_name", table_name="account")
    op.drop_table("account")
