"""POST /api/reset-password/verify: the mailed code, with the rules of every code."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from devstack.mongo_access import admin_client
from tests.helpers import code_in, text_of

START = "/api/reset-password/start"
VERIFY = "/api/reset-password/verify"


def _db(stack):
    return admin_client(stack, tz_aware=True)


def _mailed_code(outbox, address: str, count: int = 1) -> str:
    return code_in(text_of(outbox.wait_for_mail(address, count)[-1]))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_verify_with_the_mailed_code_logs_the_proof(api, new_user, outbox, stack):
    user = new_user()
    client = api("reset_password")
    client.post(START, {"email": user.email})
    r = client.post(VERIFY, {"email": user.email, "code": _mailed_code(outbox, user.email)})
    assert r.status == 200 and r.type == "POST_RESET_PASSWORD_VERIFY_SUCCESS"
    mongo = _db(stack)
    try:
        [proof] = list(mongo.tessera_reset_password.proofing_log.find())
    finally:
        mongo.close()
    assert (proof["user_id"], proof["kind"], proof["value"], proof["method"]) == \
        (user.user_id, "password_reset", user.email, "code_by_mail")


def test_wrong_code_then_locked(api, new_user, outbox):
    user = new_user()
    client = api("reset_password", verification_code={"length": 6, "ttl": 600, "max_attempts": 2,
                                                      "resend_interval": 30, "max_sends": 5})
    client.post(START, {"email": user.email})
    code = _mailed_code(outbox, user.email)
    first = client.post(VERIFY, {"email": user.email, "code": _wrong(code)})
    assert first.status == 400 and first.message == "reset_password.code_invalid"
    assert first.payload["attempts_left"] == 1
    second = client.post(VERIFY, {"email": user.email, "code": _wrong(code)})
    assert second.status == 429 and second.message == "reset_password.code_locked"
    assert int(second.headers["Retry-After"]) > 0
    # locked: even the right code no longer works
    third = client.post(VERIFY, {"email": user.email, "code": code})
    assert third.status == 429 and third.message == "reset_password.code_locked"
    assert client.post("/api/reset-password/new-password", {"password": "a brand new pass phrase 9"}).message \
        == "reset_password.not_verified"


def test_used_code_cannot_be_used_again(api, new_user, outbox):
    user = new_user()
    client = api("reset_password")
    client.post(START, {"email": user.email})
    code = _mailed_code(outbox, user.email)
    assert client.post(VERIFY, {"email": user.email, "code": code}).status == 200
    again = client.post(VERIFY, {"email": user.email, "code": code})
    assert again.status == 400 and again.message == "reset_password.code_expired"


def test_expired_code(api, new_user, outbox, stack):
    user = new_user()
    client = api("reset_password")
    client.post(START, {"email": user.email})
    code = _mailed_code(outbox, user.email)
    mongo = _db(stack)
    try:  # the code's ttl has passed (the TTL index may not have swept it yet)
        mongo.tessera_reset_password.verification_codes.update_many(
            {}, {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    finally:
        mongo.close()
    r = client.post(VERIFY, {"email": user.email, "code": code})
    assert r.status == 400 and r.message == "reset_password.code_expired"


def test_code_is_bound_to_the_session_and_the_address(api, new_user, outbox):
    user = new_user()
    other = new_user()
    client = api("reset_password")
    client.post(START, {"email": user.email})
    code = _mailed_code(outbox, user.email)
    # another browser that never started this reset
    stranger = api("reset_password")
    r = stranger.post(VERIFY, {"email": user.email, "code": code})
    assert r.status == 400 and r.message == "reset_password.code_expired"
    # the code of one address does not prove another
    r = client.post(VERIFY, {"email": other.email, "code": code})
    assert r.status == 400 and r.message == "reset_password.code_expired"
    assert client.post(VERIFY, {"email": user.email, "code": code}).status == 200


def test_unknown_address_fails_like_a_wrong_code(api, new_user, outbox):
    user = new_user()
    known, unknown = api("reset_password"), api("reset_password")
    known.post(START, {"email": user.email})
    unknown.post(START, {"email": "ghost@example.org"})
    code = _mailed_code(outbox, user.email)
    a = known.post(VERIFY, {"email": user.email, "code": _wrong(code)})
    b = unknown.post(VERIFY, {"email": "ghost@example.org", "code": code})
    assert (a.status, a.body) == (b.status, b.body)


def test_verify_failures_are_throttled_per_client(api, new_user, outbox):
    user = new_user()
    client = api("reset_password", verify_limit_per_client="2 per hour")
    client.post(START, {"email": user.email})
    code = _mailed_code(outbox, user.email)
    assert client.post(VERIFY, {"email": user.email, "code": _wrong(code)}).status == 400
    assert client.post(VERIFY, {"email": user.email, "code": _wrong(code)}).status == 400
    r = client.post(VERIFY, {"email": user.email, "code": code})
    assert r.status == 429 and r.message == "request.throttled"
    assert int(r.headers["Retry-After"]) > 0


def test_verify_rejects_bad_input(api):
    client = api("reset_password")
    r = client.post(VERIFY, {"email": "a@example.org", "code": "12ab56"})
    assert r.status == 400 and r.message == "request.invalid" and "code" in r.errors
    r = client.post(VERIFY, {"email": "a@example.org", "code": "123456", "user_id": "x"})
    assert r.status == 400 and "user_id" in r.errors
    r = client.post(VERIFY, {"email": "a@example.org", "code": "123456"}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    r = client.post(VERIFY, {"email": "a@example.org", "code": "123456"})
    assert r.status == 400 and r.message == "reset_password.code_expired"
