"""mailing address: the lead's mailing street, city, state and ZIP (issue 21), each optional

A pre-foreclosure homeowner may not live at the property: the mailing address is another place the
lead may be, and its state's rules apply too.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_COLUMNS = (("mailing_street", 200), ("mailing_city", 100), ("mailing_state", 2), ("mailing_zip", 10))


def upgrade() -> None:
    for name, length in _COLUMNS:
        op.add_column("lead", sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True))


def downgrade() -> None:
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): rebuilding the lead table, as alembic's
    # batch mode does, fails on SQLite while messages and consents refer to it.
    for name, _length in reversed(_COLUMNS):
        op.drop_column("lead", name)
