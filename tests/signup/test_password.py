"""POST /api/signup/password: policy, account creation through the AM, login."""
from __future__ import annotations

from devstack import manager
from tests.helpers import wait_for
from tests.signup.conftest import PASSWORD, person


def _verified(api, fixed_code, email="ada@example.org", **changes):
    client = api("signup")
    assert client.post("/api/signup/register", person(email, **changes)).status == 200
    assert client.post("/api/signup/verify", {"email": email, "code": fixed_code}).status == 200
    return client


def test_creates_the_account_and_logs_in(api, fixed_code, mongo):
    client = _verified(api, fixed_code, language="sv")
    before = client.client.get_cookie("tessera_session").value
    r = client.post("/api/signup/password", {"password": PASSWORD})
    assert r.status == 200
    assert r.type == "POST_SIGNUP_PASSWORD_SUCCESS"
    assert set(r.payload) == {"csrf_token", "user_id"}
    after = client.client.get_cookie("tessera_session").value
    assert after != before  # new session id at login
    user = mongo.tessera_central.users.find_one({"_id": r.payload["user_id"]})
    assert user["given_name"] == "Ada" and user["surname"] == "Lovelace"
    assert user["display_name"] == "Ada Lovelace"
    assert user["language"] == "sv"
    [address] = user["emails"]
    assert address["email"] == "ada@example.org" and address["verified"] and address["primary"]
    assert user["verified_emails"] == ["ada@example.org"]
    [credential] = user["credentials"]
    assert credential["type"] == "password" and credential["last_used"] is None
    assert credential["hash"].startswith("$argon2id$")
    assert PASSWORD not in str(user)
    assert user["tou"]["version"] == "2026-01"
    proof = mongo.tessera_signup.proofing_log.find_one({"user_id": r.payload["user_id"]})
    assert proof["kind"] == "email" and proof["value"] == "ada@example.org" and proof["method"] == "code_by_mail"
    assert client.get("/api/signup/state").payload == {"step": "done", "email": "ada@example.org"}


def test_new_session_uses_the_new_csrf_token(api, fixed_code):
    client = _verified(api, fixed_code)
    old_token = client.csrf_token()
    r = client.post("/api/signup/password", {"password": PASSWORD})
    assert r.payload["csrf_token"] != old_token
    again = client.client.post("/api/signup/resend-code", json={}, headers={"X-CSRF-Token": old_token})
    assert again.status_code == 403


def test_old_session_cookie_no_longer_works(api, fixed_code):
    client = _verified(api, fixed_code)
    old_cookie = client.client.get_cookie("tessera_session").value
    assert client.post("/api/signup/password", {"password": PASSWORD}).status == 200
    stale = api("signup")
    stale.client.set_cookie("tessera_session", old_cookie)
    assert stale.get("/api/signup/state").payload == {"step": "register"}


def test_only_after_verify(api, fixed_code):
    client = api("signup")
    assert client.post("/api/signup/password", {"password": PASSWORD}).message == "signup.not_verified"
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    r = client.post("/api/signup/password", {"password": PASSWORD})
    assert r.status == 400
    assert r.message == "signup.not_verified"


def test_weak_passwords_are_refused_with_reasons(api, fixed_code, mongo):
    client = _verified(api, fixed_code)
    short = client.post("/api/signup/password", {"password": "abc123"})
    assert short.status == 400
    assert short.message == "signup.weak_password"
    assert short.errors == {"password": ["password.too_short"]}
    own_words = client.post("/api/signup/password", {"password": "lovelaceada!!"})
    assert own_words.errors == {"password": ["password.too_guessable"]}
    assert mongo.tessera_central.users.count_documents({}) == 0
    # still verified: a better password goes through
    assert client.post("/api/signup/password", {"password": PASSWORD}).status == 200


def test_malformed_requests(api, fixed_code):
    client = _verified(api, fixed_code)
    assert client.post("/api/signup/password", {}).message == "request.invalid"
    assert client.post("/api/signup/password", {"password": PASSWORD, "admin": True}).message == "request.invalid"
    assert client.post("/api/signup/password", {"password": PASSWORD}, csrf=False).status == 403


def test_only_one_account_per_flow(api, fixed_code, mongo):
    client = _verified(api, fixed_code)
    assert client.post("/api/signup/password", {"password": PASSWORD}).status == 200
    r = client.post("/api/signup/password", {"password": PASSWORD + "x"})
    assert r.status == 400
    assert r.message == "signup.not_verified"
    assert mongo.tessera_central.users.count_documents({}) == 1


def test_address_verified_by_someone_else_meanwhile(api, fixed_code, mongo):
    first = _verified(api, fixed_code)
    second = _verified(api, fixed_code)
    assert first.post("/api/signup/password", {"password": PASSWORD}).status == 200
    r = second.post("/api/signup/password", {"password": PASSWORD})
    assert r.status == 409
    assert r.message == "emails.in_use"
    assert mongo.tessera_central.users.count_documents({}) == 1
    assert mongo.tessera_signup.users.count_documents({}) == 1  # the refused copy is gone
    assert second.get("/api/signup/state").payload == {"step": "register"}


def test_pending_when_the_am_does_not_answer(api, fixed_code, mongo, stack):
    client = api("signup", am_sync_timeout=1.0)
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code}).status == 200
    manager.control(stack, "stop", "workers:am")
    try:
        r = client.post("/api/signup/password", {"password": PASSWORD})
        assert r.status == 202
        assert r.message == "am.sync_pending"
        assert r.payload["csrf_token"] and r.payload["user_id"]
        assert mongo.tessera_central.users.count_documents({}) == 0
    finally:
        manager.control(stack, "start", "workers:am")
    # the queued sync is applied once the AM is back
    assert wait_for(lambda: mongo.tessera_central.users.count_documents({"_id": r.payload["user_id"]}), 20), \
        "the pending account never appeared"
