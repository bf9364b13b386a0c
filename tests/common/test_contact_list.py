"""common.contact_list through both services that keep a contact list (emails, phones),
against the real stack (AM, msg worker, MongoDB, Redis): the rules they share — login
and CSRF on every route, duplicates, the entry limits, codes (single use, expiry, lock
after 5 tries, throttled resends), primary, remove, and the 202 of a slow AM.

What is each service's own (address and number formats, moving a value between
accounts, primary rules, the mail to the old primary) is in tests/emails and tests/phones.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from devstack import manager
from tests.contacts import EMAILS, LONG_CODES, PHONES, ContactKind, long_code_in, wrong
from tests.helpers import wait_for
from tests.users import central_user


@pytest.fixture(params=[EMAILS, PHONES], ids=str)
def kind(request: pytest.FixtureRequest) -> ContactKind:
    """Each contact-list service in turn."""
    return request.param


@pytest.mark.parametrize("route", range(6))
def test_every_route_needs_a_login(api, stack, kind, route):
    method, path, body = kind.routes()[route]
    client = api(kind.service)
    r = client.get(path) if method == "get" else client.post(path, body)
    assert r.status == 401 and r.message == "authn.required", r


@pytest.mark.parametrize("route", range(1, 6))
def test_every_post_needs_the_csrf_token(signed_in, kind, route):
    _, path, body = kind.routes()[route]
    client, _ = signed_in(kind.service)
    r = client.post(path, body, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid", r


def test_verify_rejects_a_code_that_is_not_digits(signed_in, kind):
    client, _ = signed_in(kind.service)
    r = kind.post(client, "verify", kind.value, code="abc")
    assert r.status == 400 and r.message == "request.invalid" and "code" in r.errors, r


@pytest.mark.parametrize("route,status,name", [
    ("new", 409, "duplicate"),  # already on the account, however written
    ("primary", 400, "not_verified"),  # only a verified value can be primary
])
def test_an_unverified_value_on_the_account(signed_in, outbox, kind, route, status, name):
    client, _ = signed_in(kind.service)
    kind.add(client, outbox)
    r = kind.post(client, route, kind.spelling)
    assert r.status == status and r.message == f"{kind.service}.{name}", r
    assert r.errors == {kind.key: [f"{kind.service}.{name}"]}


def test_new_refuses_more_than_max_entries(signed_in, outbox, kind):
    client, _ = signed_in(kind.service, max_entries=kind.initial + 1)
    kind.add(client, outbox)
    r = kind.post(client, "new", kind.other)
    assert r.status == 400 and r.message == f"{kind.service}.too_many", r
    assert len(client.get(kind.path("all")).payload[kind.attribute]) == kind.initial + 1


def test_new_is_limited_per_account(signed_in, kind):
    client, _ = signed_in(kind.service, add_limit="1 per hour")
    assert kind.post(client, "new", kind.value).status == 200
    r = kind.post(client, "new", kind.other)
    assert r.status == 429 and r.message == "request.throttled", r
    assert int(r.headers["Retry-After"]) > 0


def test_verify_with_the_code_sent_marks_it_verified_and_logs_the_proof(signed_in, outbox, stack, mongo, kind):
    client, user = signed_in(kind.service)
    code = kind.add(client, outbox)
    r = kind.post(client, "verify", kind.spelling, code=code)
    assert r.status == 200 and r.type == f"POST_{kind.service.upper()}_VERIFY_SUCCESS", r
    # the first verified entry of a list without a primary becomes primary
    assert kind.entries(r)[kind.value] == (True, kind.initial == 0)
    central = central_user(stack, user.user_id)
    assert kind.value in central[f"verified_{kind.attribute}"]
    entry = next(e for e in central[kind.attribute] if e[kind.key] == kind.value)
    assert abs(datetime.now(timezone.utc) - entry["verified_at"]) < timedelta(seconds=30)
    log = list(mongo[kind.database].proofing_log.find({"user_id": user.user_id}))
    assert [(p["kind"], p["value"], p["method"]) for p in log] == [(kind.kind, kind.value, kind.method)]


def test_a_code_is_single_use_and_a_new_one_replaces_it(signed_in, outbox, kind):
    client, _ = signed_in(kind.service, verification_code=LONG_CODES)
    code = kind.add(client, outbox, long=True)
    assert kind.post(client, "verify", kind.value, code=code).status == 200
    r = kind.post(client, "verify", kind.value, code=code)
    assert r.status == 400 and r.message == f"{kind.service}.already_verified", r
    # removed and added again: the old code is gone, only the new one works
    assert kind.post(client, "remove", kind.value).status == 200
    new_code = kind.add(client, outbox, long=True)
    r = kind.post(client, "verify", kind.value, code=code)
    assert r.status == 400 and r.message == f"{kind.service}.code_invalid", r
    assert kind.post(client, "verify", kind.value, code=new_code).status == 200


def test_a_wrong_code_counts_down_then_locks(signed_in, outbox, kind):
    client, _ = signed_in(kind.service)
    code = kind.add(client, outbox)
    for left in (4, 3, 2, 1):
        r = kind.post(client, "verify", kind.value, code=wrong(code))
        assert r.status == 400 and r.message == f"{kind.service}.code_invalid", r
        assert r.payload["attempts_left"] == left
        assert r.errors == {"code": [f"{kind.service}.code_invalid"]}
    r = kind.post(client, "verify", kind.value, code=wrong(code))
    assert r.status == 429 and r.message == f"{kind.service}.code_locked", r
    assert int(r.headers["Retry-After"]) > 0
    # locked: even the right code no longer works
    r = kind.post(client, "verify", kind.value, code=code)
    assert r.status == 429 and r.message == f"{kind.service}.code_locked", r
    assert kind.entries(client.get(kind.path("all")))[kind.value] == (False, False)


def test_an_expired_code_is_refused(signed_in, outbox, mongo, kind):
    client, user = signed_in(kind.service)
    code = kind.add(client, outbox)
    kind.codes(mongo).update_one({"owner": user.user_id, "subject": kind.value},
                                 {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    r = kind.post(client, "verify", kind.value, code=code)
    assert r.status == 400 and r.message == f"{kind.service}.code_expired", r


@pytest.mark.parametrize("route", ["verify", "primary", "remove", "resend-code"])
def test_a_value_not_on_the_account_is_not_found(signed_in, kind, route):
    client, _ = signed_in(kind.service)
    more = {"code": "123456"} if route == "verify" else {}
    r = kind.post(client, route, kind.other, **more)
    assert r.status == 404 and r.message == f"{kind.service}.not_found", r
    assert r.errors == {kind.key: [f"{kind.service}.not_found"]}


def test_remove_drops_the_value_and_its_pending_code(signed_in, outbox, stack, mongo, kind):
    client, user = signed_in(kind.service)
    kind.add(client, outbox)
    r = kind.post(client, "remove", kind.value)
    assert r.status == 200, r
    assert kind.value not in kind.entries(r) and len(kind.entries(r)) == kind.initial
    assert kind.value not in [e[kind.key] for e in central_user(stack, user.user_id)[kind.attribute]]
    assert kind.codes(mongo).count_documents({"owner": user.user_id}) == 0


def test_resend_is_for_unverified_values(signed_in, outbox, kind):
    client, _ = signed_in(kind.service)
    kind.add_verified(client, outbox)
    r = kind.post(client, "resend-code", kind.value)
    assert r.status == 400 and r.message == f"{kind.service}.already_verified", r


def test_resend_is_throttled(signed_in, outbox, kind):
    client, _ = signed_in(kind.service)
    kind.add(client, outbox)
    r = kind.post(client, "resend-code", kind.value)
    assert r.status == 429 and r.message == f"{kind.service}.code_throttled", r
    assert 0 < int(r.headers["Retry-After"]) <= 31


def test_resend_sends_a_new_code_that_replaces_the_old(signed_in, outbox, kind):
    client, _ = signed_in(kind.service, verification_code={**LONG_CODES, "max_sends": 2})
    first = kind.add(client, outbox, long=True)
    r, text = kind.sent(outbox, kind.value, lambda: kind.post(client, "resend-code", kind.value))
    assert r.status == 200, r
    second = long_code_in(text)
    r = kind.post(client, "resend-code", kind.value)
    assert r.status == 429 and r.message == f"{kind.service}.code_throttled", r  # max_sends reached
    r = kind.post(client, "verify", kind.value, code=first)
    assert r.status == 400 and r.message == f"{kind.service}.code_invalid", r
    assert kind.post(client, "verify", kind.value, code=second).status == 200


def test_a_slow_attribute_manager_gives_202_and_the_change_lands_later(signed_in, stack, kind):
    client, user = signed_in(kind.service, am_sync_timeout=0.5)
    manager.control(stack, "stop", "workers:am")
    try:
        r = kind.post(client, "new", kind.value)
    finally:
        manager.control(stack, "start", "workers:am")
    assert r.status == 202 and r.message == "am.sync_pending", r
    assert kind.value in kind.entries(r)
    assert wait_for(lambda: kind.value in [e[kind.key] for e in central_user(stack, user.user_id)[kind.attribute]],
                    timeout=60)


def test_the_per_account_limits_of_emails_and_phones_are_counted_apart(api, make_user):
    # each service's /new is its own view (services/<service>/views.py), so Flask-Limiter
    # registers and counts two limits: one service's adds never use up the other's
    user = make_user()
    clients = {kind: api(kind.service, add_limit="1 per hour") for kind in (EMAILS, PHONES)}
    for kind, client in clients.items():
        client.login_as(user.user_id)
        assert kind.post(client, "new", kind.value).status == 200, kind
    for kind, client in clients.items():
        r = kind.post(client, "new", kind.other)
        assert r.status == 429 and r.message == "request.throttled", r
