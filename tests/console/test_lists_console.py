"""/ops/leads filters by the bought list a lead came in (issue 23 item 7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from nurture.cli import app as cli
from nurture.web import create_app
from web_helpers import LOOPBACK

SAMPLES = Path(__file__).resolve().parents[1] / "intake" / "samples"


@pytest.fixture
def client(sqlite_url, frozen_now):
    runner = CliRunner()
    for name, list_name in (("attom-preforeclosure", "attom-nov"), ("batchdata", "batch-dec")):
        r = runner.invoke(cli, ["leads", "import", str(SAMPLES / f"{name}.csv"), "--list", list_name])
        assert r.exit_code in (0, 1), r.output
    with TestClient(create_app(), follow_redirects=False, **LOOPBACK) as c:
        yield c


def listed(client, query: str) -> set[str]:
    r = client.get(f"/ops/leads?{query}")
    assert r.status_code == 200, r.text
    section = r.text.split('id="leads-list"')[1]
    # Owners by last name, as the sample files name them (by hand).
    return {n for n in ("Rivera", "Nguyen", "Okafor", "Johnson", "Martinez", "Washington", "Patel", "Holloway",
                        "Klein", "Morrison") if n.lower() in section.lower()}


def test_the_leads_list_filters_by_bought_list(client):
    attom = listed(client, "list=attom-nov")
    batch = listed(client, "list=batch-dec")
    # ATTOM's eight owners; BatchData's five, of whom Okafor and Holloway are ATTOM's too.
    assert attom == {"Rivera", "Nguyen", "Okafor", "Johnson", "Martinez", "Washington", "Patel", "Holloway"}
    assert {"Klein", "Morrison", "Okafor", "Holloway"} <= batch and "Rivera" not in batch
    assert listed(client, "list=no-such-list") == set()
    page = client.get("/ops/leads").text
    assert '<option value="attom-nov">' in page and '<option value="batch-dec">' in page


def test_a_list_filter_that_is_not_a_name_is_named_not_a_500(client):
    r = client.get("/ops/leads?list=%00bad")
    assert r.status_code == 400 and "list:" in r.text
