"""Logout, GET /session, re-authentication and the session lifetimes."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import redis

from common.session import KEY_PREFIX


def login(client, user):
    r = client.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200, r
    return r


def session_cookie(client) -> str | None:
    cookie = client.client.get_cookie("tessera_session")
    return cookie.value if cookie is not None else None


def test_session_when_logged_out(api):
    r = api("authn").get("/api/authn/session")
    assert r.status == 200
    assert r.type == "GET_AUTHN_SESSION_SUCCESS"
    assert r.payload == {"logged_in": False, "user_id": None, "auth_time": None, "amr": None,
                         "mfa_pending": False}


def test_session_is_get_only(api):
    r = api("authn").post("/api/authn/session", {})
    assert r.status == 405


def test_logout_ends_the_session_server_side(api, make_user):
    user = make_user()
    client = api("authn")
    login(client, user)
    logged_in_cookie = session_cookie(client)
    r = client.post("/api/authn/logout")
    assert r.status == 200, r
    assert r.type == "POST_AUTHN_LOGOUT_SUCCESS"
    assert r.payload["csrf_token"]
    assert client.get("/api/authn/session").payload["logged_in"] is False
    assert session_cookie(client) != logged_in_cookie
    # the old cookie, replayed, is not logged in any more
    replay = api("authn")
    replay.client.set_cookie("tessera_session", logged_in_cookie)
    assert replay.get("/api/authn/session").payload["logged_in"] is False


def test_logout_answers_a_working_csrf_token(api, make_user):
    user = make_user()
    client = api("authn")
    login(client, user)
    token = client.post("/api/authn/logout").payload["csrf_token"]
    r = client.client.post("/api/authn/login", json={"email": user.email, "password": user.password},
                           headers={"X-CSRF-Token": token})
    assert r.status_code == 200


def test_logout_needs_csrf_and_takes_no_fields(api, make_user):
    user = make_user()
    client = api("authn")
    login(client, user)
    r = client.post("/api/authn/logout", csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    assert client.get("/api/authn/session").payload["logged_in"] is True
    r = client.post("/api/authn/logout", {"everywhere": True})
    assert r.status == 400 and r.message == "request.invalid" and "everywhere" in r.errors
    assert client.get("/api/authn/session").payload["logged_in"] is True


def test_logout_when_logged_out_is_harmless(api):
    r = api("authn").post("/api/authn/logout")
    assert r.status == 200 and r.payload["csrf_token"]


def test_reauthenticate_refreshes_auth_time_and_rotates_the_id(api, make_user):
    user = make_user()
    client = api("authn")
    client.login_as(user.user_id, auth_age=3600)
    client.get("/api/authn/session")
    before_cookie = session_cookie(client)
    r = client.post("/api/authn/reauthenticate", {"password": user.password})
    assert r.status == 200, r
    assert r.type == "POST_AUTHN_REAUTHENTICATE_SUCCESS"
    assert r.payload["user_id"] == user.user_id
    auth_time = datetime.fromisoformat(r.payload["auth_time"])
    assert abs(datetime.now(timezone.utc) - auth_time) < timedelta(seconds=10)
    assert client.get("/api/authn/session").payload["auth_time"] == r.payload["auth_time"]
    assert session_cookie(client) != before_cookie
    stale = api("authn")
    stale.client.set_cookie("tessera_session", before_cookie)
    assert stale.get("/api/authn/session").payload["logged_in"] is False


def test_reauthenticate_with_a_wrong_password(api, make_user):
    user = make_user()
    client = api("authn")
    client.login_as(user.user_id, auth_age=3600)
    before = client.get("/api/authn/session").payload["auth_time"]
    r = client.post("/api/authn/reauthenticate", {"password": "not the password"})
    assert r.status == 401
    assert r.body == {"type": "POST_AUTHN_REAUTHENTICATE_FAIL", "error": True,
                      "payload": {"message": "authn.invalid_credentials"}}
    after = client.get("/api/authn/session").payload
    assert after["logged_in"] is True and after["auth_time"] == before


def test_reauthenticate_needs_login_csrf_and_a_valid_body(api, make_user):
    user = make_user()
    client = api("authn")
    r = client.post("/api/authn/reauthenticate", {"password": user.password})
    assert r.status == 401 and r.message == "authn.required"
    client.login_as(user.user_id, auth_age=3600)
    r = client.post("/api/authn/reauthenticate", {"password": user.password}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    r = client.post("/api/authn/reauthenticate", {})
    assert r.status == 400 and "password" in r.errors
    r = client.post("/api/authn/reauthenticate", {"password": user.password, "email": user.email})
    assert r.status == 400 and "email" in r.errors


def test_reauthenticate_is_throttled_per_account(api, make_user):
    user = make_user()
    client = api("authn", login_failures_per_account="2 per 5 minutes")
    client.login_as(user.user_id, auth_age=3600)
    for _ in range(2):
        assert client.post("/api/authn/reauthenticate", {"password": "guess 123456"}).status == 401
    r = client.post("/api/authn/reauthenticate", {"password": user.password})
    assert r.status == 429 and r.message == "request.throttled"
    assert 0 < int(r.headers["Retry-After"]) <= 300
    # another session of the same account is throttled too: the key is the user
    other = api("authn", login_failures_per_account="2 per 5 minutes")
    other.login_as(user.user_id, auth_age=3600)
    assert other.post("/api/authn/reauthenticate", {"password": user.password}).status == 429


def test_reauthenticate_of_a_deleted_account(api):
    client = api("authn")
    client.login_as("0" * 32, auth_age=3600)
    r = client.post("/api/authn/reauthenticate", {"password": "whatever it is"})
    assert r.status == 401 and r.message == "authn.required"


def test_absolute_lifetime_ends_the_session(api, make_user):
    user = make_user()
    client = api("authn", session_absolute_lifetime=600)
    client.login_as(user.user_id)
    assert client.get("/api/authn/session").payload["logged_in"] is True
    with client.client.session_transaction() as session:
        session["login_time"] = int(time.time()) - 601
    assert client.get("/api/authn/session").payload == {"logged_in": False, "user_id": None, "auth_time": None,
                                                          "amr": None, "mfa_pending": False}
    r = client.post("/api/authn/reauthenticate", {"password": user.password})
    assert r.status == 401 and r.message == "authn.required"


def test_within_the_absolute_lifetime_the_session_lives(api, make_user):
    user = make_user()
    client = api("authn", session_absolute_lifetime=600)
    client.login_as(user.user_id)
    with client.client.session_transaction() as session:
        session["login_time"] = int(time.time()) - 590
    assert client.get("/api/authn/session").payload["logged_in"] is True


def test_idle_lifetime_is_the_server_side_expiry(stack, api, make_user):
    user = make_user()
    client = api("authn", session_idle_lifetime=120)
    login(client, user)
    sid = session_cookie(client).split(".")[0]
    r = redis.Redis(port=stack.ports["redis"])
    try:
        ttl = r.ttl(KEY_PREFIX + sid)
    finally:
        r.close()
    assert 0 < ttl <= 120


def test_a_read_renews_the_idle_lifetime_and_leaves_the_session_as_it_was(stack, api, make_user):
    """The idle lifetime is renewed by the read itself (GETEX), and a request that
    changes nothing writes nothing back: the stored bytes are the login's."""
    user = make_user()
    client = api("authn", session_idle_lifetime=120)
    login(client, user)
    sid = session_cookie(client).split(".")[0]
    r = redis.Redis(port=stack.ports["redis"])
    try:
        stored = r.get(KEY_PREFIX + sid)
        assert r.expire(KEY_PREFIX + sid, 30)
        assert client.get("/api/authn/session").payload["logged_in"] is True
        assert 30 < r.ttl(KEY_PREFIX + sid) <= 120
        assert r.get(KEY_PREFIX + sid) == stored
    finally:
        r.close()
