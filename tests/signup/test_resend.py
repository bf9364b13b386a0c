"""POST /api/signup/resend-code: a new code for this session's flow, throttled."""
from __future__ import annotations

import pytest

from common import codes
from tests.signup.conftest import person

RULES = {"length": 6, "ttl": 600, "max_attempts": 5, "resend_interval": 0, "max_sends": 3}


def test_without_a_flow(api):
    r = api("signup").post("/api/signup/resend-code")
    assert r.status == 400
    assert r.message == "signup.no_flow"
    assert r.type == "POST_SIGNUP_RESEND_CODE_FAIL"


def test_unknown_fields_and_csrf(api):
    client = api("signup")
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    r = client.post("/api/signup/resend-code", {"email": "eve@example.org"})
    assert r.status == 400
    assert r.message == "request.invalid"
    assert client.post("/api/signup/resend-code", csrf=False).status == 403


def test_too_soon_is_throttled(api):
    client = api("signup")
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    r = client.post("/api/signup/resend-code")
    assert r.status == 429
    assert r.message == "signup.code_throttled"
    assert 1 <= int(r.headers["Retry-After"]) <= 31


def test_new_code_replaces_the_old_one(api, monkeypatch: pytest.MonkeyPatch):
    issued = iter(["111111", "222222"])
    monkeypatch.setattr(codes, "new_code", lambda length: next(issued))
    client = api("signup", verification_code=RULES)
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    r = client.post("/api/signup/resend-code")
    assert r.status == 200
    assert r.payload == {"step": "verify", "email": "ada@example.org", "resend_in": 0}  # resend_interval 0
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": "111111"}).message \
        == "signup.code_invalid"
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": "222222"}).status == 200


def test_at_most_max_sends_per_window(api):
    client = api("signup", verification_code=RULES)
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    assert [client.post("/api/signup/resend-code").status for _ in range(3)] == [200, 200, 429]
    r = client.post("/api/signup/resend-code")
    assert r.message == "signup.code_throttled"
    assert 500 < int(r.headers["Retry-After"]) <= 601


def test_throttled_per_client(api):
    client = api("signup", verification_code=RULES, resend_limit="1 per minute")
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    assert client.post("/api/signup/resend-code").status == 200
    r = client.post("/api/signup/resend-code")
    assert r.status == 429
    assert r.message == "request.throttled"
    assert int(r.headers["Retry-After"]) >= 1


def test_not_after_verification(api, fixed_code):
    client = api("signup", verification_code=RULES)
    assert client.post("/api/signup/register", person("ada@example.org")).status == 200
    assert client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code}).status == 200
    r = client.post("/api/signup/resend-code")
    assert r.status == 400
    assert r.message == "signup.already_verified"
