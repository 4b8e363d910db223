"""message and leadrecord: no foreign key on lead_id (issue 23 item 8)

Every import plans about eleven messages per new lead, and a bought list adds a record per row. On
PostgreSQL the foreign key's check (a look-up and a row lock in `lead` per row written) was a third
of the messages' COPY: 55,500 planned messages for 5,000 leads took 0.68 s with it, 0.44 s without
(twice each, on this machine), about a fourteenth of an import's time; the records' check cost
0.025 s per 5,000 rows. As for the delivery log (0005) and the contacts (0013): a message is written
by the planner in the transaction that read its lead, a record in the one that created or read
its lead, with that lead's id, and nothing deletes leads. `ix_message_lead_id` and
`ix_leadrecord_lead_id` stay: the planner, the console and `leads show` read by lead. Tests check
that every message and record points at a stored lead, with imports running at once.

On SQLite the tables are rebuilt (alembic's batch mode) with the foreign keys' checks off while
they are: `click` refers to `message`, whose old copy is dropped before the new one takes its name.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

#: The name SQLite's unnamed foreign keys get while a table is rebuilt (alembic's batch mode).
_SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_TABLES = ("message", "leadrecord")


def _foreign_key(table: str, drop: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Dropping the old `message` would check `click`'s rows against it. The checks are turned
        # off while the table is rebuilt, and on again after; that pragma does nothing inside a
        # transaction, so what the steps before this one did is committed first.
        raw = op.get_bind().connection.driver_connection
        raw.commit()
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with op.batch_alter_table(table, naming_convention=_SQLITE_NAMES, recreate="always") as batch:
                if drop:
                    batch.drop_constraint(f"fk_{table}_lead_id_lead", type_="foreignkey")
                else:
                    batch.create_foreign_key(f"fk_{table}_lead_id_lead", "lead", ["lead_id"], ["id"])
            raw.commit()
        except BaseException:
            raw.rollback()  # so that the pragma below is not ignored inside the failed transaction
            raise
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
        return
    if drop:
        op.drop_constraint(f"{table}_lead_id_fkey", table, type_="foreignkey")
    else:
        op.create_foreign_key(f"{table}_lead_id_fkey", table, "lead", ["lead_id"], ["id"])


def upgrade() -> None:
    for table in _TABLES:
        _foreign_key(table, drop=True)


def downgrade() -> None:
    for table in _TABLES:
        _foreign_key(table, drop=False)
