"""Parallel requests of one session never undo each other's step (API.md, envelope rules)."""
from __future__ import annotations

from tests.helpers import code_in, text_of
from tests.parallel import post_together
from tests.signup.conftest import PASSWORD, person, unique_address


def _registered(http, outbox) -> tuple[str, str]:
    address = unique_address("parallel")
    assert http.post("/api/signup/register", person(address)).status == 200
    return address, code_in(text_of(outbox.wait_for_mail(address)[-1]))


def test_parallel_verifies_leave_the_flow_verified(http, outbox):
    address, code = _registered(http, outbox)
    answers = post_together(http, "/api/signup/verify", [{"email": address, "code": code}] * 4)
    assert [a.status for a in answers].count(200) == 1, answers
    # the others lost the single-use code: a clear 400, nothing undone
    assert {a.message for a in answers if a.status != 200} == {"signup.code_expired"}, answers
    assert http.get("/api/signup/state").payload == {"step": "password", "email": address}
    assert http.post("/api/signup/password", {"password": PASSWORD}).status == 200


def test_parallel_passwords_create_one_account(http, outbox, mongo):
    address, code = _registered(http, outbox)
    assert http.post("/api/signup/verify", {"email": address, "code": code}).status == 200
    answers = post_together(http, "/api/signup/password", [{"password": PASSWORD}] * 4)
    assert [a.status for a in answers].count(200) == 1, answers
    # the others fail clearly: being created, already created, or (arriving after the
    # winner's login gave the session a new id) in a fresh session without its CSRF token
    assert {(a.status, a.message) for a in answers if a.status != 200} <= {
        (400, "signup.not_verified"), (409, "signup.in_progress"), (403, "csrf.invalid")}, answers
    assert mongo.tessera_central.users.count_documents({"verified_emails": address}) == 1
    assert http.get("/api/signup/state").payload == {"step": "done", "email": address}
    assert http.get("/api/authn/session").payload["logged_in"] is True
