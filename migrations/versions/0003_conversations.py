"""conversations: inbound messages (texts and emails a lead sends), proposed contact changes held
for ops, and the evidence columns of a consent (when given, who recorded it, why refused)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import nurture.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('given_at', nurture.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))
        batch_op.add_column(sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))
    op.create_table('inboundmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('from_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('received_at', nurture.models.UTCDateTime(), nullable=False),
    sa.Column('handled_at', nurture.models.UTCDateTime(), nullable=True),
    sa.Column('handled_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'provider_id', name='uq_inbound_channel_provider_id')
    )
    with op.batch_alter_table('inboundmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inboundmessage_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inboundmessage_received_at'), ['received_at'], unique=False)
    op.create_table('proposedchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('current_value', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('proposed_value', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('method', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('recorded_at', nurture.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lead_id'], ['lead.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('proposedchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposedchange_lead_id'), ['lead_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('proposedchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposedchange_lead_id'))
    op.drop_table('proposedchange')
    with op.batch_alter_table('inboundmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inboundmessage_received_at'))
        batch_op.drop_index(batch_op.f('ix_inboundmessage_lead_id'))
    op.drop_table('inboundmessage')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('recorded_by')
        batch_op.drop_column('given_at')
