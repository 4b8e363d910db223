"""lead: a partial index of the emails that are not plain ASCII (issue 23 item 8)

Every intake batch compares its new addresses with the stored ones that are not their own
look-alike skeleton (not plain ASCII, or an IDNA `xn--` domain). Without an index that query read
the whole lead table per batch of 500 rows: at 29,000 leads 0.1-0.6 s a batch on PostgreSQL,
growing with the table. These rows are few; the index holds only them.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# As nurture/models.py's NON_PLAIN_EMAIL_SQL says it today (a migration keeps its own copy).
_POSTGRESQL = r"email ~ '[^\x01-\x7f]|xn--'"
_SQLITE = "email LIKE '%xn--%' OR length(CAST(email AS BLOB)) != length(email)"


def upgrade() -> None:
    op.create_index("ix_lead_email_not_plain", "lead", ["email"], postgresql_where=sa.text(_POSTGRESQL),
                    sqlite_where=sa.text(_SQLITE))


def downgrade() -> None:
    op.drop_index("ix_lead_email_not_plain", table_name="lead")
