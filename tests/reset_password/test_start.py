"""POST /api/reset-password/start: same answer for every address, throttled, mails a code."""
from __future__ import annotations

from devstack.mongo_access import admin_client
from tests.helpers import code_in, text_of

START = "/api/reset-password/start"


def _codes(stack) -> list[dict]:
    client = admin_client(stack)
    try:
        return list(client.tessera_reset_password.verification_codes.find({"purpose": "reset"}))
    finally:
        client.close()


def test_start_mails_a_code_to_a_verified_address(api, new_user, outbox):
    user = new_user(given_name="Grace")
    r = api("reset_password").post(START, {"email": user.email.upper()})
    assert r.status == 200
    assert r.type == "POST_RESET_PASSWORD_START_SUCCESS"
    assert r.payload == {}
    [mail] = outbox.wait_for_mail(user.email)
    assert len(code_in(text_of(mail))) == 6


def test_known_and_unknown_addresses_get_identical_answers(api, new_user, outbox, stack):
    user = new_user()
    known = api("reset_password").post(START, {"email": user.email})
    unknown = api("reset_password").post(START, {"email": "nobody-here@example.org"})
    assert (known.status, known.body) == (unknown.status, unknown.body)
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())
    # comparable work: a code record exists for both addresses ...
    assert sorted(c["subject"] for c in _codes(stack)) == sorted([user.email, "nobody-here@example.org"])
    # ... but only the account's address gets a mail
    outbox.wait_for_mail(user.email)
    outbox.drain(stack)
    assert outbox.mails("nobody-here@example.org") == []


def test_unverified_address_gets_no_mail(api, new_user, outbox, stack):
    user = new_user(email_verified=False)
    other = new_user()
    r = api("reset_password").post(START, {"email": user.email})
    assert r.status == 200 and r.payload == {}
    api("reset_password").post(START, {"email": other.email})
    outbox.wait_for_mail(other.email)  # mail is flowing,
    outbox.drain(stack)  # and everything queued before has been sent,
    assert outbox.mails(user.email) == []  # yet none for the unverified address


def test_start_is_throttled_per_address(api, new_user):
    user = new_user()
    for address in (user.email, "unknown@example.org"):
        answers = [api("reset_password", start_limit_per_address="2 per hour").post(START, {"email": address})
                   for _ in range(3)]
        assert [a.status for a in answers] == [200, 200, 429], address
        assert answers[2].message == "request.throttled"
        assert int(answers[2].headers["Retry-After"]) > 0


def test_start_is_throttled_per_client(api):
    client = api("reset_password", start_limit_per_client="2 per hour")
    answers = [client.post(START, {"email": f"someone{n}@example.org"}) for n in range(3)]
    assert [a.status for a in answers] == [200, 200, 429]
    assert answers[2].message == "request.throttled"
    assert int(answers[2].headers["Retry-After"]) > 0


def test_a_new_code_only_after_the_resend_interval(api, new_user):
    user = new_user()
    for address in (user.email, "unknown@example.org"):
        client = api("reset_password")
        assert client.post(START, {"email": address}).status == 200
        again = client.post(START, {"email": address})
        assert again.status == 429
        assert again.message == "reset_password.code_throttled"
        assert int(again.headers["Retry-After"]) > 0


def test_start_rejects_bad_input(api, stack):
    client = api("reset_password")
    bad = client.post(START, {"email": "not an address"})
    assert bad.status == 400 and bad.message == "request.invalid" and "email" in bad.errors
    extra = client.post(START, {"email": "a@example.org", "admin": True})
    assert extra.status == 400 and extra.message == "request.invalid" and "admin" in extra.errors
    missing = client.post(START, {})
    assert missing.status == 400 and "email" in missing.errors
    no_csrf = client.post(START, {"email": "a@example.org"}, csrf=False)
    assert no_csrf.status == 403 and no_csrf.message == "csrf.invalid"
    assert _codes(stack) == []
