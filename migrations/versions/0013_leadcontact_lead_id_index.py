"""leadcontact: drop ix_leadcontact_lead_id, a copy of the unique key's leading column (issue 23 item 8)

uq_leadcontact_lead_kind_address (lead_id, kind, address) already serves every look-up by lead_id
(a lead's contacts, the contacts a list finds already stored); the separate index on lead_id only
cost a bought list's import a third index entry for each of its five contacts per row.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_leadcontact_lead_id", table_name="leadcontact")


def downgrade() -> None:
    op.create_index("ix_leadcontact_lead_id", "leadcontact", ["lead_id"])
