"""/api/emails: list, add, verify by mailed code, primary, remove, resend — against the
real stack (AM, msg worker, MongoDB, Redis)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from devstack import manager
from tests.contacts import new_mail
from tests.helpers import code_in, text_of, wait_for
from tests.users import central_user

ROUTES = [("get", "/api/emails/all", None)] + [
    ("post", f"/api/emails/{route}", body) for route, body in [
        ("new", {"email": "x@example.org"}), ("verify", {"email": "x@example.org", "code": "123456"}),
        ("primary", {"email": "x@example.org"}), ("remove", {"email": "x@example.org"}),
        ("resend-code", {"email": "x@example.org"})]]


def entries(response):
    return {e["email"]: (e["verified"], e["primary"]) for e in response.payload["emails"]}


def add(client, outbox, address="second@example.org"):
    """Add ``address`` and return the code mailed to it."""
    r, mail = new_mail(outbox, address, lambda: client.post("/api/emails/new", {"email": address}))
    assert r.status == 200, r
    return code_in(text_of(mail))


def test_all_lists_the_primary_address(signed_in):
    client, user = signed_in("emails")
    r = client.get("/api/emails/all")
    assert r.status == 200, r
    assert r.type == "GET_EMAILS_ALL_SUCCESS"
    assert r.payload == {"emails": [{"email": user.email, "verified": True, "primary": True}]}


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_every_route_needs_a_login(api, stack, method, path, body):
    client = api("emails")
    r = client.get(path) if method == "get" else client.post(path, body)
    assert r.status == 401, r
    assert r.message == "authn.required"


@pytest.mark.parametrize("method,path,body", ROUTES[1:])
def test_every_post_needs_the_csrf_token(signed_in, method, path, body):
    client, _ = signed_in("emails")
    r = client.post(path, body, csrf=False)
    assert r.status == 403, r
    assert r.message == "csrf.invalid"


@pytest.mark.parametrize("body,field", [
    ({"email": "not-an-address"}, "email"),
    ({}, "email"),
    ({"email": "a@example.org", "admin": True}, "admin"),
    ({"email": "a" * 250 + "@example.org"}, "email"),
])
def test_new_rejects_invalid_bodies(signed_in, body, field):
    client, _ = signed_in("emails")
    r = client.post("/api/emails/new", body)
    assert r.status == 400, r
    assert r.message == "request.invalid"
    assert field in r.errors


def test_verify_rejects_a_code_that_is_not_digits(signed_in):
    client, user = signed_in("emails")
    r = client.post("/api/emails/verify", {"email": user.email, "code": "abc"})
    assert r.status == 400 and r.message == "request.invalid" and "code" in r.errors, r


def test_new_adds_the_normalised_address_unverified_and_mails_a_code(signed_in, outbox, stack):
    client, user = signed_in("emails")
    r, mail = new_mail(outbox, "second@example.org",
                       lambda: client.post("/api/emails/new", {"email": "  Second@Example.ORG "}))
    assert r.status == 200, r
    assert r.type == "POST_EMAILS_NEW_SUCCESS"
    assert entries(r) == {user.email: (True, True), "second@example.org": (False, False)}
    assert len(code_in(text_of(mail))) == 6
    central = central_user(stack, user.user_id)
    assert [e["email"] for e in central["emails"]] == [user.email, "second@example.org"]
    assert central["verified_emails"] == [user.email]


def test_new_refuses_an_address_already_on_the_account(signed_in, outbox):
    client, user = signed_in("emails")
    r = client.post("/api/emails/new", {"email": user.email.upper()})
    assert r.status == 409 and r.message == "emails.duplicate", r
    add(client, outbox)
    r = client.post("/api/emails/new", {"email": "second@example.org"})
    assert r.status == 409 and r.message == "emails.duplicate", r


def test_new_refuses_more_than_max_entries(signed_in, outbox):
    client, _ = signed_in("emails", max_entries=2)
    add(client, outbox)
    r = client.post("/api/emails/new", {"email": "third@example.org"})
    assert r.status == 400 and r.message == "emails.too_many", r
    assert len(client.get("/api/emails/all").payload["emails"]) == 2


def test_new_is_limited_per_account(signed_in):
    client, _ = signed_in("emails", add_limit="2 per hour")
    for n in range(2):
        assert client.post("/api/emails/new", {"email": f"a{n}@example.org"}).status == 200
    r = client.post("/api/emails/new", {"email": "a3@example.org"})
    assert r.status == 429 and r.message == "request.throttled", r
    assert int(r.headers["Retry-After"]) > 0


def test_verify_with_the_mailed_code_marks_it_verified_and_logs_the_proof(signed_in, outbox, stack, mongo):
    client, user = signed_in("emails")
    code = add(client, outbox)
    r = client.post("/api/emails/verify", {"email": "Second@example.org", "code": code})
    assert r.status == 200, r
    assert r.type == "POST_EMAILS_VERIFY_SUCCESS"
    assert entries(r)["second@example.org"] == (True, False)
    central = central_user(stack, user.user_id)
    assert central["verified_emails"] == [user.email, "second@example.org"]
    second = next(e for e in central["emails"] if e["email"] == "second@example.org")
    assert abs(datetime.now(timezone.utc) - second["verified_at"]) < timedelta(seconds=30)
    log = list(mongo.tessera_emails.proofing_log.find({"user_id": user.user_id}))
    assert [(p["kind"], p["value"], p["method"]) for p in log] == [("email", "second@example.org", "code_by_mail")]


def test_a_code_is_single_use(signed_in, outbox):
    client, _ = signed_in("emails", verification_code={
        "length": 6, "ttl": 600, "max_attempts": 5, "resend_interval": 0, "max_sends": 5})
    code = add(client, outbox)
    assert client.post("/api/emails/verify", {"email": "second@example.org", "code": code}).status == 200
    r = client.post("/api/emails/verify", {"email": "second@example.org", "code": code})
    assert r.status == 400 and r.message == "emails.already_verified", r
    # removed and added again: the old code is gone, only the new one works
    assert client.post("/api/emails/remove", {"email": "second@example.org"}).status == 200
    new_code = add(client, outbox)
    if new_code != code:
        r = client.post("/api/emails/verify", {"email": "second@example.org", "code": code})
        assert r.status == 400 and r.message == "emails.code_invalid", r
    assert client.post("/api/emails/verify", {"email": "second@example.org", "code": new_code}).status == 200


def test_verify_with_a_wrong_code_counts_down_then_locks(signed_in, outbox):
    client, _ = signed_in("emails")
    code = add(client, outbox)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for left in (4, 3, 2, 1):
        r = client.post("/api/emails/verify", {"email": "second@example.org", "code": wrong})
        assert r.status == 400 and r.message == "emails.code_invalid", r
        assert r.payload["attempts_left"] == left
    r = client.post("/api/emails/verify", {"email": "second@example.org", "code": wrong})
    assert r.status == 429 and r.message == "emails.code_locked", r
    assert int(r.headers["Retry-After"]) > 0
    # locked: even the right code no longer works
    r = client.post("/api/emails/verify", {"email": "second@example.org", "code": code})
    assert r.status == 429 and r.message == "emails.code_locked", r
    assert entries(client.get("/api/emails/all"))["second@example.org"] == (False, False)


def test_verify_with_an_expired_code(signed_in, outbox, mongo):
    client, user = signed_in("emails")
    code = add(client, outbox)
    mongo.tessera_emails.verification_codes.update_one(
        {"owner": user.user_id, "subject": "second@example.org"},
        {"$set": {"expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    r = client.post("/api/emails/verify", {"email": "second@example.org", "code": code})
    assert r.status == 400 and r.message == "emails.code_expired", r


def test_verify_an_address_not_on_the_account(signed_in):
    client, _ = signed_in("emails")
    r = client.post("/api/emails/verify", {"email": "nobody@example.org", "code": "123456"})
    assert r.status == 404 and r.message == "emails.not_found", r


def test_verifying_another_accounts_secondary_address_moves_it(signed_in, outbox, stack):
    client_a, a = signed_in("emails")
    code = add(client_a, outbox, "shared@example.org")
    assert client_a.post("/api/emails/verify", {"email": "shared@example.org", "code": code}).status == 200
    client_b, b = signed_in("emails")
    r, mail = new_mail(outbox, "shared@example.org",
                       lambda: client_b.post("/api/emails/new", {"email": "shared@example.org"}))
    assert r.status == 200, r  # the same answer as for a fresh address: no enumeration
    code = code_in(text_of(mail))
    r = client_b.post("/api/emails/verify", {"email": "shared@example.org", "code": code})
    assert r.status == 200, r
    assert central_user(stack, b.user_id)["verified_emails"] == [b.email, "shared@example.org"]
    owner_a = central_user(stack, a.user_id)
    assert owner_a["verified_emails"] == [a.email]
    assert entries(client_a.get("/api/emails/all"))["shared@example.org"] == (False, False)


def test_verifying_another_accounts_primary_address_is_refused(signed_in, outbox, stack, mongo):
    _, a = signed_in("emails")
    client_b, b = signed_in("emails")
    code = add(client_b, outbox, a.email)
    r = client_b.post("/api/emails/verify", {"email": a.email, "code": code})
    assert r.status == 409 and r.message == "emails.in_use", r
    assert central_user(stack, a.user_id)["verified_emails"] == [a.email]
    assert central_user(stack, b.user_id)["verified_emails"] == [b.email]
    assert entries(client_b.get("/api/emails/all"))[a.email] == (False, False)
    private = mongo.tessera_emails.users.find_one({"_id": b.user_id})
    assert not next(e for e in private["emails"] if e["email"] == a.email)["verified"]


def test_primary_must_be_on_the_account_and_verified(signed_in, outbox):
    client, _ = signed_in("emails")
    r = client.post("/api/emails/primary", {"email": "nobody@example.org"})
    assert r.status == 404 and r.message == "emails.not_found", r
    add(client, outbox)
    r = client.post("/api/emails/primary", {"email": "second@example.org"})
    assert r.status == 400 and r.message == "emails.not_verified", r


def test_primary_moves_and_the_old_primary_is_told(signed_in, outbox, stack):
    client, user = signed_in("emails")
    code = add(client, outbox)
    assert client.post("/api/emails/verify", {"email": "second@example.org", "code": code}).status == 200
    r, notice = new_mail(outbox, user.email,
                         lambda: client.post("/api/emails/primary", {"email": "second@example.org"}))
    assert r.status == 200, r
    assert entries(r) == {user.email: (True, False), "second@example.org": (True, True)}
    central = central_user(stack, user.user_id)
    assert [e["email"] for e in central["emails"] if e["primary"]] == ["second@example.org"]
    assert "second@example.org" in text_of(notice)
    # the current primary again: nothing changes, nobody is mailed
    assert client.post("/api/emails/primary", {"email": "second@example.org"}).status == 200


def test_remove_refuses_the_primary_and_unknown_addresses(signed_in):
    client, user = signed_in("emails")
    r = client.post("/api/emails/remove", {"email": user.email})
    assert r.status == 400 and r.message == "emails.cannot_remove_primary", r
    r = client.post("/api/emails/remove", {"email": "nobody@example.org"})
    assert r.status == 404 and r.message == "emails.not_found", r


def test_remove_drops_the_address_and_its_pending_code(signed_in, outbox, stack, mongo):
    client, user = signed_in("emails")
    add(client, outbox)
    r = client.post("/api/emails/remove", {"email": "second@example.org"})
    assert r.status == 200, r
    assert entries(r) == {user.email: (True, True)}
    assert [e["email"] for e in central_user(stack, user.user_id)["emails"]] == [user.email]
    assert mongo.tessera_emails.verification_codes.count_documents({"owner": user.user_id}) == 0


def test_resend_is_for_unverified_addresses_on_the_account(signed_in):
    client, user = signed_in("emails")
    r = client.post("/api/emails/resend-code", {"email": user.email})
    assert r.status == 400 and r.message == "emails.already_verified", r
    r = client.post("/api/emails/resend-code", {"email": "nobody@example.org"})
    assert r.status == 404 and r.message == "emails.not_found", r


def test_resend_is_throttled(signed_in, outbox):
    client, _ = signed_in("emails")
    add(client, outbox)
    r = client.post("/api/emails/resend-code", {"email": "second@example.org"})
    assert r.status == 429 and r.message == "emails.code_throttled", r
    assert 0 < int(r.headers["Retry-After"]) <= 31


def test_resend_mails_a_new_code_that_replaces_the_old(signed_in, outbox):
    client, _ = signed_in("emails", verification_code={
        "length": 6, "ttl": 600, "max_attempts": 5, "resend_interval": 0, "max_sends": 2})
    first = add(client, outbox)
    r, mail = new_mail(outbox, "second@example.org",
                       lambda: client.post("/api/emails/resend-code", {"email": "second@example.org"}))
    assert r.status == 200, r
    second = code_in(text_of(mail))
    r = client.post("/api/emails/resend-code", {"email": "second@example.org"})
    assert r.status == 429 and r.message == "emails.code_throttled", r  # max_sends reached
    if first != second:
        r = client.post("/api/emails/verify", {"email": "second@example.org", "code": first})
        assert r.message == "emails.code_invalid", r
    assert client.post("/api/emails/verify", {"email": "second@example.org", "code": second}).status == 200


def test_a_slow_attribute_manager_gives_202_and_the_change_lands_later(signed_in, stack):
    client, user = signed_in("emails", am_sync_timeout=0.5)
    manager.control(stack, "stop", "workers:am")
    try:
        r = client.post("/api/emails/new", {"email": "later@example.org"})
    finally:
        manager.control(stack, "start", "workers:am")
    assert r.status == 202 and r.message == "am.sync_pending", r
    assert "later@example.org" in entries(r)
    landed = wait_for(lambda: "later@example.org" in [e["email"] for e in central_user(stack, user.user_id)["emails"]],
                      timeout=30)
    assert landed


def test_through_nginx_a_second_address_becomes_primary(http, make_user, outbox):
    user = make_user("first@example.org")
    r = http.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200, r
    r, mail = new_mail(outbox, "second@example.org",
                       lambda: http.post("/api/emails/new", {"email": "second@example.org"}))
    assert r.status == 200 and r.type == "POST_EMAILS_NEW_SUCCESS", r
    code = code_in(text_of(mail))
    r = http.post("/api/emails/verify", {"email": "second@example.org", "code": code})
    assert r.status == 200, r
    r, notice = new_mail(outbox, "first@example.org",
                         lambda: http.post("/api/emails/primary", {"email": "second@example.org"}))
    assert r.status == 200, r
    assert http.get("/api/emails/all").payload["emails"] == [
        {"email": "first@example.org", "verified": True, "primary": False},
        {"email": "second@example.org", "verified": True, "primary": True}]
    assert "second@example.org" in text_of(notice)
    r = http.post("/api/emails/remove", {"email": "first@example.org"})
    assert r.status == 200, r
    assert [e["email"] for e in r.payload["emails"]] == ["second@example.org"]
