"""bought lists: a lead's contacts and list records, its estimated sale date, its parcel (issue 23)

A bought pre-foreclosure list gives several phones and emails per owner, typed and flagged
(leadcontact), and the recorded notice the list reports (leadrecord, one row per list a lead came
in). A sale date may be an estimate (lead.sale_date_estimated, with its reason); the parcel number
and a key of the property's address and the owner's name find the lead a second list brings again.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _str(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.add_column("lead", sa.Column("sale_date_estimated", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("lead", _str("sale_date_reason", 300))
    op.add_column("lead", _str("parcel_number", 64))
    op.add_column("lead", _str("property_key", 300))
    op.create_index("ix_lead_parcel_number", "lead", ["parcel_number"], unique=True)
    op.create_index("ix_lead_property_key", "lead", ["property_key"], unique=True)
    op.create_table(
        "leadcontact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        _str("kind", 10, False),
        _str("address", 254, False),
        _str("phone_type", 10),
        sa.Column("dnc", sa.Boolean(), nullable=False),
        sa.Column("litigator", sa.Boolean(), nullable=False),
        _str("name", 200),
        sa.Column("position", sa.Integer(), nullable=False),
        _str("list_name", 100),
        _ts("created_at", False),
        sa.UniqueConstraint("lead_id", "kind", "address", name="uq_leadcontact_lead_kind_address"),
    )
    op.create_index("ix_leadcontact_lead_id", "leadcontact", ["lead_id"])
    op.create_index("ix_leadcontact_address", "leadcontact", ["address"])
    op.create_table(
        "leadrecord",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=False),
        _str("list_name", 100, False),
        _str("vendor", 100),
        _str("profile", 100),
        sa.Column("purchased_on", sa.Date(), nullable=True),
        _str("record_type", 30),
        _str("document_type", 60),
        sa.Column("recording_date", sa.Date(), nullable=True),
        sa.Column("auction_date", sa.Date(), nullable=True),
        _str("parcel_number", 64),
        _str("case_number", 100),
        _str("lender", 200),
        _str("trustee", 200),
        _ts("imported_at", False),
    )
    op.create_index("ix_leadrecord_lead_id", "leadrecord", ["lead_id"])
    op.create_index("ix_leadrecord_list_name", "leadrecord", ["list_name"])


def downgrade() -> None:
    op.drop_index("ix_leadrecord_list_name", table_name="leadrecord")
    op.drop_index("ix_leadrecord_lead_id", table_name="leadrecord")
    op.drop_table("leadrecord")
    op.drop_index("ix_leadcontact_address", table_name="leadcontact")
    op.drop_index("ix_leadcontact_lead_id", table_name="leadcontact")
    op.drop_table("leadcontact")
    op.drop_index("ix_lead_property_key", table_name="lead")
    op.drop_index("ix_lead_parcel_number", table_name="lead")
    for name in ("property_key", "parcel_number", "sale_date_reason", "sale_date_estimated"):
        op.drop_column("lead", name)
