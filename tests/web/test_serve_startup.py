"""What `nurture serve` says before it takes requests: every setting that leaves a door closed or open."""

import pytest
import uvicorn
from typer.testing import CliRunner

from nurture.cli import app
from nurture.config import get_settings

runner = CliRunner()


@pytest.fixture
def served(monkeypatch):
    """uvicorn.run recorded instead of run: what the command would serve, and where."""
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    return calls


def test_a_production_start_with_forgotten_settings_says_what_is_closed(sqlite_url, providers, served, monkeypatch):
    monkeypatch.delenv("NURTURE_PUBLIC_URL")
    monkeypatch.delenv("NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY")
    get_settings.cache_clear()
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8080"])
    assert r.exit_code == 0, r.output
    errors = [line for line in r.stderr.splitlines() if line.startswith("ERROR: ")]
    assert [line.split(":")[1].strip() for line in errors] == ["SendGrid webhook", "public URL", "API key"]
    assert "NURTURE_SENDGRID_WEBHOOK_PUBLIC_KEY" in errors[0] and "answers 503" in errors[0]
    assert "NURTURE_PUBLIC_URL is left at its default (http://127.0.0.1:8000)" in errors[1]
    assert "every real callback is refused (403)" in errors[1]
    assert "listens on 0.0.0.0" in errors[2] and "refuse every request (403)" in errors[2]
    ((served_app, options),) = served
    assert options["host"] == "0.0.0.0" and served_app.state.bind_host == "0.0.0.0"


def test_a_developer_start_on_loopback_has_nothing_to_warn_about(sqlite_url, served):
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert "NURTURE_API_KEY is not set: /api and /ops answer only requests made on this machine" in r.stdout
    ((served_app, options),) = served
    assert options["host"] == "127.0.0.1" and served_app.state.bind_host == "127.0.0.1"


def test_twilio_credentials_without_a_public_url_are_flagged_at_start(sqlite_url, providers, served, monkeypatch):
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    monkeypatch.delenv("NURTURE_PUBLIC_URL")
    get_settings.cache_clear()
    r = runner.invoke(app, ["serve"])
    assert r.stderr.startswith("ERROR: public URL: NURTURE_PUBLIC_URL is left at its default")


def test_the_start_up_names_the_hosts_it_answers(sqlite_url, served, monkeypatch):
    monkeypatch.delenv("NURTURE_ALLOWED_HOSTS")
    monkeypatch.setenv("NURTURE_API_KEY", "k3y")
    monkeypatch.setenv("NURTURE_PUBLIC_URL", "https://nurture.example.com")
    get_settings.cache_clear()
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0"])
    assert "answers the Host names nurture.example.com (NURTURE_ALLOWED_HOSTS)" in r.stdout
