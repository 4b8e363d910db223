"""The other CLI doors against hostile input (`leads add|update|show`, `log`, `stats`, `schedule
preview`, `templates preview`): an error naming the option or field, exit 1, never a traceback; and
the process edge, which prints where an unexpected error happened but not its message."""

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from nurture.cli import app
from nurture.db import session_scope
from nurture.models import Lead

runner = CliRunner()


def lead_count():
    with session_scope() as s:
        return len(s.exec(select(Lead.id)).all())


def test_a_bad_sale_date_through_the_cli_add_and_update_is_a_field_error(sqlite_url, frozen_now):
    for args in (["leads", "add", "--first-name", "Maria", "--phone", "3055550142", "--sale-date", "9999-12-31"],
                 ["leads", "add", "--first-name", "Maria", "--phone", "3055550142", "--sale-date", "0001-01-01"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 1 and "foreclosure.sale_date:" in r.stderr and "Traceback" not in r.output
    assert runner.invoke(app, ["leads", "add", "--first-name", "Maria", "--phone", "3055550142"]).exit_code == 0
    r = runner.invoke(app, ["leads", "update", "1", "--sale-date", "9999-12-31"])
    assert r.exit_code == 1 and "plausible sale date" in r.stderr


@pytest.mark.parametrize("args,field", [
    (["--first-name", "Ma\x00ria"], "first_name"), (["--balance", "1E+999999"], "mortgage_balance"),
    (["--balance", "1e-999999999"], "mortgage_balance"), (["--months-behind", "99999999999999999999"], "months_behind"),
    (["--city", "c" * 101], "property.city"), (["--source", "s" * 51], "source"),
    (["--sms-consent-text", "t" * 5001], "sms_consent.text"), (["--sms-consent-text", "ok", "--sms-consent-url",
                                                                "javascript:alert(1)"], "sms_consent.source_url"),
])
def test_leads_add_refuses_hostile_values_naming_the_field(db_url, frozen_now, args, field):
    base = ["leads", "add", "--first-name", "Maria", "--phone", "3055550142"]
    r = runner.invoke(app, [*base, *args])
    assert r.exit_code == 1, r.output
    assert f"  {field}:" in r.stderr and "Traceback" not in r.output
    assert lead_count() == 0


@pytest.mark.parametrize("ref", ["²", "99999999999999999999999", "0", "a\x00b@example.com", "+1\x00305"])
def test_leads_show_of_a_ref_no_lead_can_have_says_so(db_url, ref):
    r = runner.invoke(app, ["leads", "show", ref])
    assert r.exit_code == 1 and "no lead matches" in r.stderr


@pytest.mark.parametrize("since", ["999999999w", "99999999999999999999d", "²d"])
def test_log_and_stats_refuse_an_absurd_window(sqlite_url, since):
    for verb in ("log", "stats"):
        r = runner.invoke(app, [verb, "--since", since])
        assert r.exit_code == 1 and "Traceback" not in r.output


def test_the_cli_edge_prints_where_an_unexpected_error_happened_but_not_its_message(
        sqlite_url, monkeypatch, capsys):
    import sys

    from nurture import cli
    from nurture.cli import leads as leads_cli

    secret = "maria" + "@example.com"

    def explode(*_a, **_kw):
        raise RuntimeError(f"duplicate key {secret}")

    monkeypatch.setattr(leads_cli, "upsert_lead", explode)
    monkeypatch.setattr(sys, "argv", ["nurture", "leads", "add", "--first-name", "Maria", "--email", secret])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "RuntimeError" in err and "message is withheld" in err and "leads.py" in err
    assert secret not in err


@pytest.mark.parametrize("args,message", [
    (["--sale-date", "9999-12-31", "--state", "FL"], "--sale-date '9999-12-31' is not between 1990-01-01 and 2036-12-01"),
    (["--sale-date", "0001-01-01", "--state", "FL"], "--sale-date '0001-01-01' is not between"),
    (["--sale-date", "2027-01-15", "--now", "9999-12-31T23:59"], "--now '9999-12-31T23:59' is not between"),
    (["--sale-date", "2027-01-15", "--enrolled-at", "0001-01-01T00:00"], "--enrolled-at '0001-01-01T00:00' is not between"),
    (["--sale-date", "2027-01-15", "--zip", "١٢٣٤٥"], "is not a ZIP code"),
    (["--lead", "99999999999999999999"], "no lead with id"),
])
def test_schedule_preview_refuses_absurd_input_with_a_message(sqlite_url, frozen_now, args, message):
    r = runner.invoke(app, ["schedule", "preview", *args])
    assert r.exit_code == 1 and message in r.stderr, r.output


def test_templates_preview_for_an_id_no_lead_can_have_says_so(sqlite_url):
    r = runner.invoke(app, ["templates", "preview", "sms/negative_equity", "--lead", "99999999999999999999"])
    assert r.exit_code == 1 and "no lead with id" in r.stderr
