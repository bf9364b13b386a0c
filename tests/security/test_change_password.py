"""POST /api/security/change-password (*recent*)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher

from devstack import manager
from devstack.mongo_access import admin_client
from tests.helpers import HttpClient, text_of, wait_for
from tests.users import central_user

CHANGE = "/api/security/change-password"
NEW_PASSWORD = "periwinkle lighthouse acrobat 88"


def _password(stack, user) -> dict:
    [credential] = [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "password"]
    return credential


def test_change_password(api, new_user, stack, outbox):
    user = new_user(given_name="Radia", language="sv")
    client = api("security")
    client.login_as(user.user_id)
    old_cookie = client.client.get_cookie("tessera_session").value
    r = client.post(CHANGE, {"new_password": NEW_PASSWORD})
    assert r.status == 200 and r.type == "POST_SECURITY_CHANGE_PASSWORD_SUCCESS"
    [shown] = r.payload["credentials"]
    stored = _password(stack, user)
    assert shown["credential_id"] == stored["credential_id"] != user.document["credentials"][0]["credential_id"]
    assert shown["last_used"] is None and stored["last_used"] is None
    assert abs(datetime.now(timezone.utc) - stored["created"]) < timedelta(seconds=30)
    assert stored["hash"].startswith("$argon2id$")
    assert PasswordHasher().verify(stored["hash"], NEW_PASSWORD)
    # the session id was replaced; the session itself goes on
    assert client.client.get_cookie("tessera_session").value != old_cookie
    assert client.get("/api/security/credentials").payload["credentials"] == r.payload["credentials"]
    [mail] = outbox.wait_for_mail(user.email)
    assert mail["Subject"] and "Radia" in text_of(mail)


def test_change_password_needs_recent_authentication(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id, auth_age=301)
    r = client.post(CHANGE, {"new_password": NEW_PASSWORD})
    assert r.status == 403 and r.message == "authn.reauthn_required"
    assert r.body["meta"] == {"reauthn_required": True}
    assert _password(stack, user)["hash"] == user.document["credentials"][0]["hash"]


def test_change_password_needs_login_and_csrf(api, new_user, stack):
    r = api("security").post(CHANGE, {"new_password": NEW_PASSWORD})
    assert r.status == 401 and r.message == "authn.required"
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(CHANGE, {"new_password": NEW_PASSWORD}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    assert _password(stack, user)["hash"] == user.document["credentials"][0]["hash"]


def test_change_password_rejects_bad_input(api, new_user):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(CHANGE, {"new_password": NEW_PASSWORD, "old_password": "x"})
    assert r.status == 400 and r.message == "request.invalid" and "old_password" in r.errors
    r = client.post(CHANGE, {"password": NEW_PASSWORD})
    assert r.status == 400 and set(r.errors) == {"password", "new_password"}
    r = client.post(CHANGE, ["not", "an", "object"])
    assert r.status == 400 and r.message == "request.not_json"


def test_weak_password(api, new_user, stack):
    user = new_user(given_name="Margaret", surname="Hamilton")
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(CHANGE, {"new_password": "short"})
    assert r.status == 400 and r.message == "security.weak_password"
    assert r.errors == {"password": ["password.too_short"]}
    r = client.post(CHANGE, {"new_password": "margarethamilton"})
    assert r.status == 400 and r.errors == {"password": ["password.too_guessable"]}
    r = client.post(CHANGE, {"new_password": "x" * 129})
    assert r.status == 400 and "password.too_long" in r.errors["password"]
    assert _password(stack, user)["hash"] == user.document["credentials"][0]["hash"]


def test_change_password_is_throttled(api, new_user):
    user = new_user()
    client = api("security", change_password_limit="1 per hour")
    client.login_as(user.user_id)
    assert client.post(CHANGE, {"new_password": NEW_PASSWORD}).status == 200
    r = client.post(CHANGE, {"new_password": "another quite good phrase 12"})
    assert r.status == 429 and r.message == "request.throttled"
    assert int(r.headers["Retry-After"]) > 0


def test_older_sessions_end_through_nginx(http, new_user, stack, outbox):
    user = new_user()
    older = HttpClient(stack.base_url)
    try:
        assert older.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
        assert older.get("/api/security/credentials").status == 200
        assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
        before = http.cookie
        r = http.post(CHANGE, {"new_password": NEW_PASSWORD})
        assert r.status == 200
        assert http.cookie != before
        assert http.get("/api/security/credentials").status == 200
        ended = older.get("/api/security/credentials")
        assert ended.status == 401 and ended.message == "authn.required"
        assert older.get("/api/authn/session").payload["logged_in"] is False
    finally:
        older.close()
    fresh = HttpClient(stack.base_url)
    try:
        old = fresh.post("/api/authn/login", {"email": user.email, "password": user.password})
        assert old.status == 401 and old.message == "authn.invalid_credentials"
        assert fresh.post("/api/authn/login", {"email": user.email, "password": NEW_PASSWORD}).status == 200
    finally:
        fresh.close()
    outbox.wait_for_mail(user.email)


def test_pending_when_the_am_does_not_answer(api, new_user, stack):
    user = new_user()
    client = api("security", am_sync_timeout=1.0)
    client.login_as(user.user_id)
    manager.control(stack, "stop", "workers:am")
    try:
        r = client.post(CHANGE, {"new_password": NEW_PASSWORD})
        assert r.status == 202 and r.message == "am.sync_pending"
        assert r.payload["credentials"][0]["credential_id"] != user.document["credentials"][0]["credential_id"]
        assert _password(stack, user)["hash"] == user.document["credentials"][0]["hash"]
    finally:
        manager.control(stack, "start", "workers:am")
    # the queued sync is applied once the AM is back
    new_id = r.payload["credentials"][0]["credential_id"]
    assert wait_for(lambda: _password(stack, user)["credential_id"] == new_id, 20), \
        "the queued change never reached the central db"
    mongo = admin_client(stack)
    try:  # the private copy holds the change the AM copied
        assert mongo.tessera_security.users.find_one({"_id": user.user_id})["credentials"][0]["credential_id"] \
            == r.payload["credentials"][0]["credential_id"]
    finally:
        mongo.close()
