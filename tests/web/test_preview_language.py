"""A marketer previews a template in either language (issue 25): the console's preview and
`nurture templates preview --language`."""

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nurture.cli import app
from nurture.web import create_app
from web_helpers import LOOPBACK

runner = CliRunner()


@pytest.fixture
def client(sqlite_url):
    with TestClient(create_app(), **LOOPBACK) as c:
        yield c


def test_the_console_previews_a_text_in_spanish_and_in_english(client):
    es = client.get("/ops/templates/preview", params={"template": "sms/what_is_short_sale", "language": "es"})
    assert es.status_code == 200 and "venta corta" in es.text and ", in Español." in es.text
    assert '<option value="es" selected>Español</option>' in es.text
    en = client.get("/ops/templates/preview", params={"template": "sms/what_is_short_sale"})
    assert "venta corta" not in en.text and ", in English." in en.text


def test_the_console_refuses_a_language_it_does_not_write_in(client):
    r = client.get("/ops/templates/preview", params={"template": "sms/welcome", "language": "fr"})
    assert r.status_code in (400, 422)
    assert "venta" not in r.text


def test_the_cli_previews_in_spanish_and_says_which_language(sqlite_url):
    r = runner.invoke(app, ["templates", "preview", "email/negative_equity", "--language", "Spanish", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["language"] == "es" and "AVISO IMPORTANTE" in data["text"]
    text = runner.invoke(app, ["templates", "preview", "sms/welcome", "--language", "es"]).stdout
    assert text.splitlines()[0].endswith(", in es") and "Responda ALTO (STOP)" in text
    bad = runner.invoke(app, ["templates", "preview", "sms/welcome", "--language", "fr"])
    assert bad.exit_code == 1 and "'fr' is not a language nurture writes in" in bad.output
