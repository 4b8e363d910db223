"""provider events once: deliveryevent.event_key with a unique index (issue 22)

SendGrid posts a batch again when it does not get a 2xx in time, and Twilio may call back twice
with the same status: each event's log row carries a key ("sendgrid:<sg_event_id>",
"twilio:<MessageSid>:<MessageStatus>") that the index lets in once. Older rows have no key.

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveryevent", sa.Column("event_key", sqlmodel.sql.sqltypes.AutoString(length=120),
                                             nullable=True))
    op.create_index("ux_deliveryevent_event_key", "deliveryevent", ["event_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_deliveryevent_event_key", table_name="deliveryevent")
    op.drop_column("deliveryevent", "event_key")
