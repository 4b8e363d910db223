"""rulebook: never a step twice (partial unique index), message sale date and expiry, blackouts,
a lead's time zone may be unknown

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import nurture.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

WENT_OUT = sa.text("state IN ('sending', 'sent', 'delivered', 'undelivered', 'review')")


def upgrade() -> None:
    op.create_table('blackout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', nurture.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('blackout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blackout_state'), ['state'], unique=False)
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.alter_column('timezone', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sale_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('expires_at', nurture.models.UTCDateTime(), nullable=True))
    bind = op.get_bind()
    twice = bind.execute(sa.text(
        "SELECT lead_id, sequence, step, count(*) FROM message WHERE " + WENT_OUT.text +
        " GROUP BY lead_id, sequence, step HAVING count(*) > 1")).all()
    if twice:
        # History cannot be rewritten (those messages did go out): say so instead of guessing.
        listed = ", ".join(f"lead {r[0]} {r[1]}/{r[2]} x{r[3]}" for r in twice[:20])
        raise RuntimeError(f"steps already sent more than once, fix by hand before upgrading: {listed}")
    op.create_index('uq_message_step_once', 'message', ['lead_id', 'sequence', 'step'], unique=True,
                    postgresql_where=WENT_OUT, sqlite_where=WENT_OUT)


def downgrade() -> None:
    op.drop_index('uq_message_step_once', table_name='message')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('sale_date')
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.alter_column('timezone', existing_type=sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False)
    with op.batch_alter_table('blackout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blackout_state'))
    op.drop_table('blackout')
