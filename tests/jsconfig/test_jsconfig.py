"""jsconfig through nginx on the running test stack (issue 2, "Done when" 1)."""
from __future__ import annotations

import requests

from tests.helpers import HttpClient


def test_config_is_a_success_fsa_with_csrf_token(http: HttpClient) -> None:
    r = http.get("/api/jsconfig/config")
    assert r.status == 200
    assert r.type == "GET_JSCONFIG_CONFIG_SUCCESS"
    assert len(r.payload["csrf_token"]) >= 32
    assert r.payload["languages"] == ["en", "sv"]
    assert r.payload["default_language"] == "en"
    assert r.payload["password_policy"] == {"min_length": 10, "max_length": 128, "min_score": 3}
    assert r.payload["services"]["personal_data"] == "/api/personal-data/"
    cookie = r.headers["Set-Cookie"]
    assert "tessera_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_token_is_stable_within_a_session(http: HttpClient) -> None:
    first = http.get("/api/jsconfig/config").payload["csrf_token"]
    assert http.get("/api/jsconfig/config").payload["csrf_token"] == first


def test_healthy(http: HttpClient) -> None:
    r = http.get("/api/jsconfig/status/healthy")
    assert r.status == 200
    assert r.payload["checks"] == {"mongodb": "ok", "redis": "ok", "rabbitmq": "ok", "etcd": "ok"}


def test_unknown_path_is_a_404_fsa(http: HttpClient) -> None:
    r = http.get("/api/jsconfig/no/such/thing")
    assert r.status == 404
    assert r.body == {"type": "GET_JSCONFIG_FAIL", "error": True, "payload": {"message": "http.not_found"}}


def test_unknown_service_is_a_404_fsa(http: HttpClient) -> None:
    r = http.get("/api/nosuchservice/config")
    assert r.status == 404
    assert r.body["error"] is True and r.body["payload"]["message"] == "http.not_found"


def test_post_without_csrf_is_a_403_fsa(http: HttpClient) -> None:
    http.get("/api/jsconfig/config")
    r = http.post("/api/jsconfig/config", {}, csrf=False)
    assert r.status == 403
    assert r.body == {"type": "POST_JSCONFIG_FAIL", "error": True, "payload": {"message": "csrf.invalid"}}


def test_two_megabyte_body_is_a_413_fsa(stack) -> None:
    r = requests.post(f"{stack.base_url}/api/jsconfig/config", data=b"x" * (2 * 1024 * 1024),
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 413
    body = r.json()
    assert body["error"] is True and body["payload"]["message"] == "http.request_entity_too_large"
    assert body["type"] == "POST_JSCONFIG_FAIL"


def test_openapi_document(http: HttpClient) -> None:
    r = http.session.get(http.base_url + "/api/jsconfig/openapi.json", timeout=10)
    spec = r.json()
    assert r.status_code == 200 and spec["info"]["title"] == "Tessera jsconfig"
    assert "/api/jsconfig/config" in spec["paths"]


def test_security_headers(http: HttpClient) -> None:
    r = http.session.get(http.base_url + "/api/jsconfig/config", timeout=10)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    page = http.session.get(http.base_url + "/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert page.headers["X-Frame-Options"] == "DENY"
