"""console: the A/B variant on each message, clicks on tracked links, and the indexes the console's
windows, filters and per-template figures read

Revision ID: 0004
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import nurture.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
    op.create_index('ix_message_sent_at', 'message', ['sent_at'])
    op.create_index('ix_message_created_at', 'message', ['created_at'])
    op.create_index('ix_message_template_sent_at', 'message', ['template', 'sent_at'])
    op.create_index('ix_deliveryevent_to_state_at', 'deliveryevent', ['to_state', 'at'])
    op.create_index('ix_deliveryevent_error_code', 'deliveryevent', ['error_code'])
    op.create_table('click',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', nurture.models.UTCDateTime(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('template', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('variant', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_click_at', 'click', ['at'])
    op.create_index('ix_click_message_id', 'click', ['message_id'])
    op.create_index('ix_click_lead_id', 'click', ['lead_id'])


def downgrade() -> None:
    op.drop_index('ix_click_lead_id', table_name='click')
    op.drop_index('ix_click_message_id', table_name='click')
    op.drop_index('ix_click_at', table_name='click')
    op.drop_table('click')
    op.drop_index('ix_deliveryevent_error_code', table_name='deliveryevent')
    op.drop_index('ix_deliveryevent_to_state_at', table_name='deliveryevent')
    op.drop_index('ix_message_template_sent_at', table_name='message')
    op.drop_index('ix_message_created_at', table_name='message')
    op.drop_index('ix_message_sent_at', table_name='message')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('variant')
