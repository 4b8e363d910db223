"""A stored address that is not plain ASCII (a Cyrillic letter, an IDNA domain) still catches the
plain address it looks like; every intake batch reads those few rows through a partial index
(migration 0012), not the whole lead table."""

import json

import sqlalchemy as sa
from sqlmodel import select
from typer.testing import CliRunner

from nurture import db
from nurture.cli import app
from nurture.db import session_scope
from nurture.models import NON_PLAIN_EMAIL_SQL, Lead

runner = CliRunner()


def _import(tmp_path, *rows):
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(["first_name,last_name,email,property_state,property_zip", *rows]) + "\n",
                    encoding="utf-8")
    result = runner.invoke(app, ["leads", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_plain_address_is_held_for_the_stored_look_alike_it_matches(db_url, tmp_path):
    first = _import(tmp_path, "Maria,Lopez,m\u0430ria@example.com,FL,33101", "Ana,Ruiz,ana@ex\u0430mple.com,FL,33101")
    assert first["created"] == 2
    with session_scope() as s:
        stored = {lead.first_name: (lead.id, lead.email) for lead in s.exec(select(Lead))}
    assert stored["Ana"][1].startswith("ana@xn--")  # the domain in its IDNA form
    again = _import(tmp_path, "Maria,Lopes,maria@example.com,FL,33101", "Ana,Ruis,ana@example.com,FL,33101")
    assert (again["created"], again["updated"]) == (0, 0)
    messages = [w["message"] for w in again["warnings"]]
    assert any(f"looks like lead #{stored['Maria'][0]}" in m for m in messages), messages
    assert any(f"looks like lead #{stored['Ana'][0]}" in m for m in messages), messages
    with session_scope() as s:
        assert sorted((lead.first_name, lead.last_name) for lead in s.exec(select(Lead))) == [
            ("Ana", "Ruiz"), ("Maria", "Lopez")]


def test_the_look_alike_query_reads_the_partial_index(db_url):
    engine = db.get_engine(db_url)
    with engine.connect() as conn:
        dialect = conn.dialect.name
        sql = str(sa.select(Lead.id).where(NON_PLAIN_EMAIL_SQL[dialect]).compile(dialect=conn.dialect))
        if dialect == "postgresql":
            conn.execute(sa.text("SET enable_seqscan = off"))  # an empty table: ask what the planner could use
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plan = " ".join(str(v) for row in conn.execute(sa.text(prefix + sql)) for v in row)
    assert "ix_lead_email_not_plain" in plan, plan
