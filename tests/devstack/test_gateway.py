"""nginx in front of the running test stack: routing, FSA errors, headers, the SPA."""
from __future__ import annotations

import smtplib
import time

import requests

from devstack import manager
from devstack.topology import Stack
from tests.helpers import wait_for

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _get(stack: Stack, path: str, **kwargs) -> requests.Response:
    return requests.get(stack.base_url + path, timeout=10, **kwargs)


def test_every_program_is_healthy(stack: Stack) -> None:
    # Earlier tests restart the broker and kill workers: wait for them to be back
    # (a busy machine takes its time), then look at every program.
    def unhealthy() -> dict[str, str]:
        return {name: s["detail"] for name, s in manager.health(stack).items() if not s["healthy"]}

    wait_for(lambda: not unhealthy(), timeout=180)
    states = manager.health(stack)
    assert {"epmd", "mongo", "redis", "etcd", "smtp", "rabbitmq", "nginx"} <= set(states)
    assert unhealthy() == {}


def test_unknown_api_path_of_a_service_is_a_404_fsa(stack: Stack) -> None:
    r = _get(stack, "/api/jsconfig/missing")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"type": "GET_JSCONFIG_FAIL", "error": True, "payload": {"message": "http.not_found"}}


def test_unknown_service_is_a_404_fsa_from_nginx(stack: Stack) -> None:
    r = requests.post(stack.base_url + "/api/nope/x", json={}, timeout=10)
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/json"
    assert r.json() == {"type": "POST_API_FAIL", "error": True, "payload": {"message": "http.not_found"}}


def test_too_large_body_is_a_413_fsa_naming_the_service(stack: Stack) -> None:
    r = requests.post(stack.base_url + "/api/personal-data/user", data=b"x" * (1024 * 1024 + 1),
                      headers={"Content-Type": "application/json"}, timeout=10)
    assert r.status_code == 413
    assert r.json() == {"type": "POST_PERSONAL_DATA_FAIL", "error": True,
                        "payload": {"message": "http.request_entity_too_large"}}
    assert r.raw.headers.getlist("Cache-Control") == ["no-store"]


def test_service_down_is_a_503_fsa_naming_it(stack: Stack) -> None:
    manager.control(stack, "stop", "services:jsconfig")
    try:
        r = _get(stack, "/api/jsconfig/config")
        assert r.status_code == 503
        assert r.json() == {"type": "GET_JSCONFIG_FAIL", "error": True,
                            "payload": {"message": "backend.unavailable", "backend": "jsconfig"}}
        assert r.raw.headers.getlist("Cache-Control") == ["no-store"]
    finally:
        manager.control(stack, "start", "services:jsconfig")
    deadline = time.monotonic() + 180  # a generous deadline: a busy machine restarts slowly
    while not manager.health(stack)["services:jsconfig"]["healthy"]:
        assert time.monotonic() < deadline, "jsconfig did not come back"
        time.sleep(0.3)


def test_api_responses_carry_security_headers_once_and_a_request_id(stack: Stack) -> None:
    r = _get(stack, "/api/jsconfig/status/healthy")
    assert r.status_code == 200
    for name, value in SECURITY_HEADERS.items():
        assert r.headers[name] == value
    assert len(r.raw.headers.getlist("X-Request-Id")) == 1
    assert "Server" not in r.headers or r.headers["Server"] == "nginx"  # server_tokens off


def test_spa_deep_link_gets_index_html_revalidated(stack: Stack) -> None:
    index = _get(stack, "/")
    deep = _get(stack, "/emails/some/deep/link")
    assert deep.status_code == index.status_code == 200
    assert deep.text == index.text
    assert deep.headers["Content-Type"].startswith("text/html")
    assert deep.headers["Cache-Control"] == "no-cache"
    for name, value in SECURITY_HEADERS.items():
        assert deep.headers[name] == value


def test_json_is_gzipped(stack: Stack) -> None:
    r = _get(stack, "/api/jsconfig/config", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == "gzip"


def test_smtp_sink_writes_one_file_per_mail(stack: Stack) -> None:
    new = stack.mail_dir / "new"
    before = set(new.iterdir())
    with smtplib.SMTP("127.0.0.1", stack.ports["smtp"], timeout=10) as smtp:
        smtp.sendmail("noreply@tessera.test", ["someone@example.org"],
                      "Subject: stack test\r\n\r\ncode 123456\r\n")
    added = set(new.iterdir()) - before
    assert len(added) == 1
    assert "code 123456" in added.pop().read_text()


def test_missing_hashed_asset_is_a_404_not_the_spa(stack: Stack) -> None:
    r = _get(stack, "/main.0123456789abcdef.js")
    assert r.status_code == 404
    assert r.headers["Cache-Control"] == "no-cache"  # not "immutable": it may appear later


def test_a_forged_client_address_does_not_dodge_the_per_client_throttle(stack: Stack) -> None:
    """The services throttle by ``X-Real-IP``, which nginx sets to the address it sees:
    a client that sends its own (a new one per try) is still one client."""
    limit = 20  # login_failures_per_client in etcd-seed/authn.json: 20 per minute
    with requests.Session() as session:
        token = session.get(stack.base_url + "/api/jsconfig/config", timeout=10).json()["payload"]["csrf_token"]
        statuses = []
        for n in range(limit + 1):
            r = session.post(stack.base_url + "/api/authn/login",
                             json={"email": f"nobody-{n}@example.org", "password": "not the password 1"},
                             headers={"X-CSRF-Token": token, "X-Real-IP": f"203.0.113.{n}"}, timeout=30)
            statuses.append(r.status_code)
    assert statuses[:limit] == [401] * limit
    assert statuses[limit] == 429
