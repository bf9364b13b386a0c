"""POST /api/signup/verify: code rules (single use, expiry, lock after 5), the flow's address."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.signup.conftest import person


def _registered(api, email="ada@example.org", **overrides):
    client = api("signup", **overrides)
    assert client.post("/api/signup/register", person(email)).status == 200
    return client


def test_right_code_verifies_the_flow(api, fixed_code):
    client = _registered(api)
    r = client.post("/api/signup/verify", {"email": "Ada@example.org", "code": fixed_code})
    assert r.status == 200
    assert r.type == "POST_SIGNUP_VERIFY_SUCCESS"
    assert r.payload == {"step": "password", "email": "ada@example.org"}
    assert client.get("/api/signup/state").payload == {"step": "password", "email": "ada@example.org"}


def test_without_a_flow(api):
    r = api("signup").post("/api/signup/verify", {"email": "ada@example.org", "code": "123456"})
    assert r.status == 400
    assert r.message == "signup.no_flow"


def test_code_of_another_session_does_not_count(api, fixed_code):
    _registered(api)
    r = api("signup").post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert r.status == 400
    assert r.message == "signup.no_flow"


def test_address_must_be_the_flows(api, fixed_code):
    client = _registered(api)
    r = client.post("/api/signup/verify", {"email": "eve@example.org", "code": fixed_code})
    assert r.status == 400
    assert r.message == "signup.email_mismatch"
    assert r.errors == {"email": ["signup.email_mismatch"]}
    assert client.get("/api/signup/state").payload["step"] == "verify"


def test_malformed_requests(api):
    client = _registered(api)
    for body in ({"email": "ada@example.org", "code": "12ab56"}, {"email": "ada@example.org"},
                 {"email": "ada@example.org", "code": "123456", "extra": 1}):
        r = client.post("/api/signup/verify", body)
        assert r.status == 400
        assert r.message == "request.invalid"
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": "123456"},
                       csrf=False).status == 403


def test_wrong_code(api, fixed_code):
    client = _registered(api)
    r = client.post("/api/signup/verify", {"email": "ada@example.org", "code": "000000"})
    assert r.status == 400
    assert r.message == "signup.code_invalid"
    assert r.errors == {"code": ["signup.code_invalid"]}
    assert r.payload["attempts_left"] == 4
    assert client.get("/api/signup/state").payload["step"] == "verify"


def test_locked_after_five_wrong_tries(api, fixed_code):
    client = _registered(api)
    answers = [client.post("/api/signup/verify", {"email": "ada@example.org", "code": "000000"})
               for _ in range(5)]
    assert [a.status for a in answers] == [400, 400, 400, 400, 429]
    assert answers[-1].message == "signup.code_locked"
    r = client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert r.status == 429
    assert r.message == "signup.code_locked"
    assert int(r.headers["Retry-After"]) >= 1
    assert client.get("/api/signup/state").payload["step"] == "verify"


def test_expired_code(api, fixed_code, mongo):
    client = _registered(api)
    mongo.tessera_signup.verification_codes.update_one(
        {"subject": "ada@example.org"}, {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    r = client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert r.status == 400
    assert r.message == "signup.code_expired"


def test_used_code_cannot_be_reused(api, fixed_code):
    client = _registered(api)
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code}).status == 200
    r = client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert r.status == 400
    assert r.message == "signup.code_expired"


def test_taken_address_cannot_be_verified(api, signed_up, fixed_code):
    signed_up("ada@example.org")
    client = _registered(api)
    # even with the right code (which was never mailed), it fails like a wrong one
    r = client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert r.status == 400
    assert r.message == "signup.code_invalid"
    assert client.post("/api/signup/password", {"password": "correct horse battery staple 7"}).message \
        == "signup.not_verified"


def test_failed_verifications_are_throttled_per_client(api, fixed_code):
    overrides = {"verify_limit": "2 per minute", "register_limit_per_address": "10 per minute"}
    for email in ("a@example.org", "b@example.org"):
        client = _registered(api, email, **overrides)
        assert client.post("/api/signup/verify", {"email": email, "code": "000000"}).status == 400
    client = _registered(api, "c@example.org", **overrides)
    r = client.post("/api/signup/verify", {"email": "c@example.org", "code": fixed_code})
    assert r.status == 429
    assert r.message == "request.throttled"
    assert int(r.headers["Retry-After"]) >= 1


def test_successful_verifications_are_not_counted(api, fixed_code):
    for email in ("a@example.org", "b@example.org", "c@example.org"):
        client = _registered(api, email, verify_limit="2 per minute")
        assert client.post("/api/signup/verify", {"email": email, "code": fixed_code}).status == 200
