"""/api/emails: what is the emails service's own — addresses normalised, the primary as
the login identity, addresses moving between accounts, the mail to the old primary —
against the real stack (AM, msg worker, MongoDB, Redis). The contact-list rules it shares
with phones (codes, limits, login, CSRF) are in tests/common/test_contact_list.py."""
from __future__ import annotations

import pytest

from tests.contacts import EMAILS, new_mail
from tests.helpers import code_in, text_of
from tests.users import central_user

SECOND = EMAILS.value


def test_all_lists_the_primary_address(signed_in):
    client, user = signed_in("emails")
    r = client.get("/api/emails/all")
    assert r.status == 200 and r.type == "GET_EMAILS_ALL_SUCCESS", r
    assert r.payload == {"emails": [{"email": user.email, "verified": True, "primary": True}]}


@pytest.mark.parametrize("body,field", [
    ({"email": "not-an-address"}, "email"),
    ({}, "email"),
    ({"email": "a@example.org", "admin": True}, "admin"),
    ({"email": "a" * 250 + "@example.org"}, "email"),
])
def test_new_rejects_invalid_bodies(signed_in, body, field):
    client, _ = signed_in("emails")
    r = client.post("/api/emails/new", body)
    assert r.status == 400 and r.message == "request.invalid", r
    assert field in r.errors


def test_new_adds_the_normalised_address_unverified_and_mails_a_code(signed_in, outbox, stack):
    client, user = signed_in("emails")
    r, mail = new_mail(outbox, SECOND, lambda: client.post("/api/emails/new", {"email": "  Second@Example.ORG "}))
    assert r.status == 200 and r.type == "POST_EMAILS_NEW_SUCCESS", r
    assert EMAILS.entries(r) == {user.email: (True, True), SECOND: (False, False)}
    assert len(code_in(text_of(mail))) == 6
    central = central_user(stack, user.user_id)
    assert [e["email"] for e in central["emails"]] == [user.email, SECOND]
    assert central["verified_emails"] == [user.email]


def test_new_refuses_the_accounts_own_primary_address(signed_in):
    client, user = signed_in("emails")
    r = client.post("/api/emails/new", {"email": user.email.upper()})
    assert r.status == 409 and r.message == "emails.duplicate", r


def test_verifying_another_accounts_secondary_address_moves_it(signed_in, outbox, stack):
    client_a, a = signed_in("emails")
    EMAILS.add_verified(client_a, outbox, "shared@example.org")
    client_b, b = signed_in("emails")
    r, mail = new_mail(outbox, "shared@example.org",
                       lambda: client_b.post("/api/emails/new", {"email": "shared@example.org"}))
    assert r.status == 200, r  # the same answer as for a fresh address: no enumeration
    r = client_b.post("/api/emails/verify", {"email": "shared@example.org", "code": code_in(text_of(mail))})
    assert r.status == 200, r
    assert central_user(stack, b.user_id)["verified_emails"] == [b.email, "shared@example.org"]
    assert central_user(stack, a.user_id)["verified_emails"] == [a.email]
    assert EMAILS.entries(client_a.get("/api/emails/all"))["shared@example.org"] == (False, False)


def test_verifying_another_accounts_primary_address_is_refused(signed_in, outbox, stack, mongo):
    _, a = signed_in("emails")
    client_b, b = signed_in("emails")
    code = EMAILS.add(client_b, outbox, a.email)
    r = client_b.post("/api/emails/verify", {"email": a.email, "code": code})
    assert r.status == 409 and r.message == "emails.in_use", r
    assert central_user(stack, a.user_id)["verified_emails"] == [a.email]
    assert central_user(stack, b.user_id)["verified_emails"] == [b.email]
    assert EMAILS.entries(client_b.get("/api/emails/all"))[a.email] == (False, False)
    # the private copy was rolled back to the central list
    private = mongo.tessera_emails.users.find_one({"_id": b.user_id})
    assert not next(e for e in private["emails"] if e["email"] == a.email)["verified"]


def test_primary_moves_and_only_the_old_primary_is_told(signed_in, outbox, stack):
    client, user = signed_in("emails")
    EMAILS.add_verified(client, outbox)
    r, notice = new_mail(outbox, user.email, lambda: client.post("/api/emails/primary", {"email": SECOND}))
    assert r.status == 200, r
    assert EMAILS.entries(r) == {user.email: (True, False), SECOND: (True, True)}
    central = central_user(stack, user.user_id)
    assert [e["email"] for e in central["emails"] if e["primary"]] == [SECOND]
    assert SECOND in text_of(notice)
    # the current primary again: nothing changes, nobody is mailed
    told = len(outbox.mails(user.email)), len(outbox.mails(SECOND))
    r = client.post("/api/emails/primary", {"email": SECOND})
    assert r.status == 200 and EMAILS.entries(r)[SECOND] == (True, True), r
    outbox.drain(stack)
    assert (len(outbox.mails(user.email)), len(outbox.mails(SECOND))) == told


def test_the_primary_address_cannot_be_removed(signed_in, stack):
    client, user = signed_in("emails")
    r = client.post("/api/emails/remove", {"email": user.email})
    assert r.status == 400 and r.message == "emails.cannot_remove_primary", r
    assert central_user(stack, user.user_id)["verified_emails"] == [user.email]


def test_through_nginx_a_second_address_becomes_primary(http, make_user, outbox):
    user = make_user("first@example.org")
    r = http.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200, r
    r, mail = new_mail(outbox, SECOND, lambda: http.post("/api/emails/new", {"email": SECOND}))
    assert r.status == 200 and r.type == "POST_EMAILS_NEW_SUCCESS", r
    r = http.post("/api/emails/verify", {"email": SECOND, "code": code_in(text_of(mail))})
    assert r.status == 200, r
    r, notice = new_mail(outbox, "first@example.org", lambda: http.post("/api/emails/primary", {"email": SECOND}))
    assert r.status == 200, r
    assert http.get("/api/emails/all").payload["emails"] == [
        {"email": "first@example.org", "verified": True, "primary": False},
        {"email": SECOND, "verified": True, "primary": True}]
    assert SECOND in text_of(notice)
    r = http.post("/api/emails/remove", {"email": "first@example.org"})
    assert r.status == 200, r
    assert [e["email"] for e in r.payload["emails"]] == [SECOND]
