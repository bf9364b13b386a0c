"""GET /api/security/sessions, POST /sessions/revoke and /sessions/revoke-others, through
nginx: two browsers of one user."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import redis

from common.session import SEEN_PREFIX
from tests.helpers import HttpClient

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")


@pytest.fixture
def browsers(stack) -> Iterator:
    """``browsers(user, FIREFOX, CHROME_MAC)`` → one logged-in HttpClient per User-Agent."""
    opened: list[HttpClient] = []

    def factory(user, *agents: str) -> list[HttpClient]:
        for agent in agents:
            client = HttpClient(stack.base_url)
            client.session.headers["User-Agent"] = agent
            r = client.post("/api/authn/login", {"email": user.email, "password": user.password})
            assert r.status == 200, r
            opened.append(client)
        return opened[-len(agents):]

    yield factory
    for client in opened:
        client.close()


def test_each_browser_sees_both_sessions_and_which_is_its_own(browsers, new_user):
    user = new_user()
    firefox, chrome = browsers(user, FIREFOX, CHROME_MAC)
    r = firefox.get("/api/security/sessions")
    assert r.status == 200 and r.type == "GET_SECURITY_SESSIONS_SUCCESS"
    listed = r.payload["sessions"]
    assert [s["user_agent"] for s in listed] == ["Firefox on Linux", "Chrome on Mac OS X"]
    assert [s["current"] for s in listed] == [True, False]
    now = datetime.now(timezone.utc)
    for entry in listed:
        assert entry["ip"] == "127.0.0.1" and entry["amr"] == ["pwd"]
        assert abs(datetime.fromisoformat(entry["created"]) - now) < timedelta(seconds=60)
        assert datetime.fromisoformat(entry["last_seen"]) >= datetime.fromisoformat(entry["created"])
    # the public id is neither the cookie nor the session id inside it
    for client in (firefox, chrome):
        assert all(s["id"] not in client.cookie for s in listed)
    from_chrome = chrome.get("/api/security/sessions").payload["sessions"]
    assert [s["user_agent"] for s in from_chrome] == ["Chrome on Mac OS X", "Firefox on Linux"]
    assert {s["id"] for s in from_chrome} == {s["id"] for s in listed}


def test_revoking_a_session_logs_that_browser_out(browsers, new_user):
    user = new_user()
    firefox, chrome = browsers(user, FIREFOX, CHROME_MAC)
    [other] = [s for s in firefox.get("/api/security/sessions").payload["sessions"] if not s["current"]]
    r = firefox.post("/api/security/sessions/revoke", {"id": other["id"]})
    assert r.status == 200 and [s["user_agent"] for s in r.payload["sessions"]] == ["Firefox on Linux"]
    r = chrome.get("/api/personal-data/user")
    assert r.status == 401 and r.message == "authn.required"
    assert firefox.get("/api/personal-data/user").status == 200
    newest = firefox.get("/api/security/events").payload["events"][0]
    assert (newest["type"], newest["details"]) == ("session_revoked", {"count": 1})
    # the same id again, or one that is not this user's: 404
    r = firefox.post("/api/security/sessions/revoke", {"id": other["id"]})
    assert r.status == 404 and r.message == "security.session_not_found"


def test_a_session_of_another_user_cannot_be_revoked(browsers, new_user):
    alice, mallory = new_user(), new_user()
    [alice_browser] = browsers(alice, FIREFOX)
    [mallory_browser] = browsers(mallory, CHROME_MAC)
    [alice_session] = alice_browser.get("/api/security/sessions").payload["sessions"]
    r = mallory_browser.post("/api/security/sessions/revoke", {"id": alice_session["id"]})
    assert r.status == 404 and r.message == "security.session_not_found"
    assert alice_browser.get("/api/personal-data/user").status == 200


def test_revoke_others_keeps_only_this_session(browsers, new_user):
    user = new_user()
    first, second, third = browsers(user, FIREFOX, CHROME_MAC, FIREFOX)
    r = second.post("/api/security/sessions/revoke-others")
    assert r.status == 200 and [s["current"] for s in r.payload["sessions"]] == [True]
    assert first.get("/api/personal-data/user").status == 401
    assert third.get("/api/personal-data/user").status == 401
    assert second.get("/api/personal-data/user").status == 200
    newest = second.get("/api/security/events").payload["events"][0]
    assert (newest["type"], newest["details"]) == ("session_revoked", {"count": 2})


def test_revoke_needs_login_csrf_and_a_well_formed_id(browsers, http, new_user):
    assert http.get("/api/security/sessions").status == 401
    assert http.post("/api/security/sessions/revoke-others").status == 401
    [client] = browsers(new_user(), FIREFOX)
    r = client.post("/api/security/sessions/revoke", {"id": "x" * 22}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    for bad in ("", "not a handle", {"id": 1}, "a" * 300, "a" * 22 + "\n"):
        r = client.post("/api/security/sessions/revoke", {"id": bad})
        assert r.status == 400 and r.message == "request.invalid" and "id" in r.errors


def test_last_seen_is_written_at_most_once_a_minute(stack, browsers, new_user):
    [client] = browsers(new_user(), FIREFOX)
    assert client.get("/api/security/sessions").status == 200  # the first request of the new id
    r = redis.Redis(port=stack.ports["redis"])
    try:
        [key] = r.keys(SEEN_PREFIX + "*")
        first = r.get(key)
        for _ in range(3):
            assert client.get("/api/security/sessions").status == 200
        assert r.get(key) == first  # requests within the minute write nothing
        r.set(key, b'{"at": 0, "ip": "192.0.2.1"}', keepttl=True)  # a minute and more ago
        [entry] = client.get("/api/security/sessions").payload["sessions"]
        assert entry["ip"] == "127.0.0.1"
        assert datetime.now(timezone.utc) - datetime.fromisoformat(entry["last_seen"]) < timedelta(seconds=60)
    finally:
        r.close()


def test_a_new_session_id_keeps_one_last_seen_record_and_it_is_fresh(stack, browsers, new_user):
    user = new_user()
    [client] = browsers(user, FIREFOX)
    assert client.get("/api/security/sessions").status == 200
    r = redis.Redis(port=stack.ports["redis"])
    try:
        [key] = r.keys(SEEN_PREFIX + "*")
        r.set(key, b'{"at": 0, "ip": "192.0.2.1"}', keepttl=True)
        # re-authentication gives the session a new id: the record follows it at once
        assert client.post("/api/authn/reauthenticate", {"password": user.password}).status == 200
        assert len(r.keys(SEEN_PREFIX + "*")) == 1
        [entry] = client.get("/api/security/sessions").payload["sessions"]
        assert datetime.now(timezone.utc) - datetime.fromisoformat(entry["last_seen"]) < timedelta(seconds=60)
        assert client.post("/api/authn/logout").status == 200
        assert r.keys(SEEN_PREFIX + "*") == []
    finally:
        r.close()
