"""The answers the OpenAPI document promises, seen by a client: a 405 names every method its path
answers, a filter naming no lead is a 404 page, a preview without a template offers the choice, and
a JSON number the document calls an integer (3.0) is taken as one."""

from __future__ import annotations

from conftest import MARIA


def test_a_405_names_every_method_of_its_path(client):
    # Two routes share each of these paths: GET and POST /unsubscribe/{token}, GET and PATCH /api/leads/{id}.
    for method, path, allow in (("OPTIONS", "/unsubscribe/1.email.x", "GET, POST"),
                                ("DELETE", "/api/leads/1", "GET, PATCH"),
                                ("PUT", "/api/leads", "POST")):
        r = client.request(method, path)
        assert (r.status_code, r.headers["allow"]) == (405, allow), (method, path)


def test_a_log_filter_naming_no_lead_is_a_404_page_and_a_bad_value_a_400(client):
    r = client.get("/ops/log?lead=999")
    assert r.status_code == 404 and "no lead matches" in r.text and 'id="log"' in r.text
    assert client.get("/ops/log?lead=999&state=lost").status_code == 400


def test_the_preview_without_a_template_offers_the_choice_and_an_unknown_lead_is_a_404(client):
    r = client.get("/ops/templates/preview")
    assert r.status_code == 200 and 'name="template"' in r.text and 'class="error"' not in r.text
    r = client.get("/ops/templates/preview?template=email/welcome&lead=999")
    assert r.status_code == 404 and "no lead matches" in r.text
    assert client.get("/ops/templates/preview?template=email/welcome&sample=nobody").status_code == 400


def test_months_behind_written_3_point_0_is_three_months_and_2_point_5_is_refused(client):
    r = client.post("/api/leads", json={**MARIA, "months_behind": 3.0})
    assert r.status_code == 201 and r.json()["months_behind"] == 3
    r = client.post("/api/leads", json={**MARIA, "phone": "(305) 555-0143", "email": "ana@example.com",
                                        "months_behind": 2.5})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "months_behind"
