"""throughput: the delivery log without foreign keys; the indexes of columns that stay empty until
a message is sent (or fails) made partial

Every planned message written by an import, and every one the scheduler claims, used to be added to
the indexes of `sent_at`, `(template, sent_at)` and `provider_id` although they are NULL until it
is sent; every log row written looked up and locked its lead and its message for the foreign key
checks. Measured on PostgreSQL: a scheduler tick claiming 10,000 messages spent 30% of its time in
those checks, and an import a quarter of the server's work. The log is append-only, written in the
transaction of the change it records, and nothing deletes leads or messages.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

#: Names SQLite's unnamed foreign keys get while the table is rebuilt (alembic's batch mode).
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_PARTIAL = [
    ("ix_message_sent_at", "message", ["sent_at"], "sent_at IS NOT NULL"),
    ("ix_message_template_sent_at", "message", ["template", "sent_at"], "sent_at IS NOT NULL"),
    ("ix_message_provider_id", "message", ["provider_id"], "provider_id IS NOT NULL"),
    ("ix_deliveryevent_error_code", "deliveryevent", ["error_code"], "error_code IS NOT NULL"),
]


def _foreign_keys(drop: bool) -> None:
    pairs = [("lead_id", "lead"), ("message_id", "message")]
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("deliveryevent", naming_convention=_SQLITE_NAMES, recreate="always") as batch:
            for column, parent in pairs:
                if drop:
                    batch.drop_constraint(f"fk_deliveryevent_{column}_{parent}", type_="foreignkey")
                else:
                    batch.create_foreign_key(f"fk_deliveryevent_{column}_{parent}", parent, [column], ["id"])
        return
    for column, parent in pairs:
        if drop:
            op.drop_constraint(f"deliveryevent_{column}_fkey", "deliveryevent", type_="foreignkey")
        else:
            op.create_foreign_key(f"deliveryevent_{column}_fkey", "deliveryevent", parent, [column], ["id"])


def upgrade() -> None:
    _foreign_keys(drop=True)
    for name, table, columns, where in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade() -> None:
    for name, table, columns, _where in _PARTIAL:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
    _foreign_keys(drop=False)
