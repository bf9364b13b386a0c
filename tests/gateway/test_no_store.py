"""``Cache-Control: no-store`` on every /api/ answer (API.md): set once by the services
(``common.fsa.no_store``) for every response they build, passed on by nginx unchanged."""
from __future__ import annotations

import pytest
import requests

PERSONAL = ["/api/personal-data/user", "/api/security/credentials", "/api/emails/all"]


@pytest.mark.parametrize("path", PERSONAL)
def test_personal_data_through_nginx_is_not_stored(http, make_user, path):
    user = make_user()
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    r = http.session.get(http.base_url + path, timeout=30)
    assert r.status_code == 200, r.text
    assert r.raw.headers.getlist("Cache-Control") == ["no-store"]


@pytest.mark.parametrize("service, path", [
    ("personal_data", "/api/personal-data/user"),
    ("security", "/api/security/credentials"),
    ("emails", "/api/emails/all"),
])
def test_the_services_themselves_set_no_store(signed_in, service, path):
    client, _ = signed_in(service)
    r = client.get(path)
    assert r.status == 200, r
    assert r.headers.getlist("Cache-Control") == ["no-store"]


def test_every_kind_of_service_answer_is_not_stored(api):
    client = api("authn")
    answers = {
        "success": client.get("/api/authn/session"),
        "view error": client.post("/api/authn/login", {"email": "x@example.org"}),
        "csrf": client.post("/api/authn/login", {}, csrf=False),
        "no route (werkzeug 404)": client.get("/api/authn/nothing"),
        "wrong method (werkzeug 405)": client.get("/api/authn/login"),
        "openapi document": client.get("/api/authn/openapi.json"),
    }
    assert {name: (r.status, r.headers.getlist("Cache-Control")) for name, r in answers.items()} == {
        "success": (200, ["no-store"]),
        "view error": (400, ["no-store"]),
        "csrf": (403, ["no-store"]),
        "no route (werkzeug 404)": (404, ["no-store"]),
        "wrong method (werkzeug 405)": (405, ["no-store"]),
        "openapi document": (200, ["no-store"]),
    }


def test_a_service_answers_options_405_not_an_empty_200(api):
    r = api("authn").client.options("/api/authn/session")
    assert r.status_code == 405
    assert r.json == {"type": "OPTIONS_AUTHN_FAIL", "error": True, "payload": {"message": "http.method_not_allowed"}}
    assert sorted(r.headers["Allow"].split(", ")) == ["GET", "HEAD"]


def test_the_spa_keeps_its_own_cache_rules(stack):
    r = requests.get(stack.base_url + "/emails", timeout=30)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
