"""What is accepted can be acted on (API.md v2): an accepted address can be mailed, an
accepted name is safe to print in a mail. Through nginx, with the real msg worker."""
from __future__ import annotations

import uuid

import pytest

from tests.helpers import code_in, text_of


def person(email: str, **overrides) -> dict:
    return {"email": email, "given_name": "Ada", "surname": "Lovelace", "tou_accepted": True, **overrides}


def unique(domain: str = "example.org") -> str:
    return f"u{uuid.uuid4().hex[:12]}@{domain}"


def test_an_idn_domain_is_mailed_as_its_a_label(http, outbox):
    # before: x@bücher.example was accepted and the worker failed in smtplib, 8 times
    local = f"u{uuid.uuid4().hex[:12]}"
    r = http.post("/api/signup/register", person(f"{local}@Bücher.example"))
    assert r.status == 200, r
    assert r.payload["email"] == f"{local}@xn--bcher-kva.example"
    [mail] = outbox.wait_for_mail(f"{local}@xn--bcher-kva.example")
    code = code_in(text_of(mail))
    # the Unicode form and the A-label are one address
    r = http.post("/api/signup/verify", {"email": f"{local}@bücher.example", "code": code})
    assert r.status == 200, r


@pytest.mark.parametrize("local", ["иван", "jöran"])
def test_a_non_ascii_local_part_is_refused_at_signup(stack, http, outbox, local):
    # before: accepted (200), and the code mail was never delivered
    address = f"{local}{uuid.uuid4().hex[:6]}@example.org"
    r = http.post("/api/signup/register", person(address))
    assert r.status == 400 and r.message == "request.invalid", r
    assert r.errors == {"email": ["validation.email_not_ascii"]}
    outbox.drain(stack)
    assert outbox.mails(address) == []


def test_emails_new_stores_the_a_label_and_refuses_a_non_ascii_local_part(user_http, outbox):
    local = f"u{uuid.uuid4().hex[:12]}"
    r = user_http.post("/api/emails/new", {"email": f"{local}@bücher.example"})
    assert r.status in (200, 202), r
    assert f"{local}@xn--bcher-kva.example" in [e["email"] for e in r.payload["emails"]]
    outbox.wait_for_mail(f"{local}@xn--bcher-kva.example")
    r = user_http.post("/api/emails/new", {"email": f"{local}@xn--bcher-kva.example"})
    assert r.status == 409 and r.message == "emails.duplicate", r
    r = user_http.post("/api/emails/new", {"email": "иван@example.org"})
    assert r.status == 400 and r.errors == {"email": ["validation.email_not_ascii"]}, r


NAME_INVALID = ["validation.name_invalid"]


@pytest.mark.parametrize("field, value, errors", [
    ("given_name", "Ada\r\nBcc: eve@example.org", {"given_name": NAME_INVALID}),
    ("given_name", "Ada\x00", {"given_name": NAME_INVALID}),
    ("surname", "Lovelace\u202egnik", {"surname": NAME_INVALID}),
    ("surname", "\u200b\u200b", {"surname": NAME_INVALID}),
    ("given_name", "Ada\ud800", {}),  # refused while the body is parsed, before any field
])
def test_a_name_unsafe_to_print_is_refused_before_any_mail(stack, http, outbox, field, value, errors):
    # before: CR/LF, NUL, U+202E and zero-width names were accepted and printed into the
    # code mail; a lone surrogate was a 500 after the code was issued and the mail queued
    address = unique()
    r = http.post("/api/signup/register", person(address, **{field: value}))
    assert r.status == 400 and r.message == "request.invalid", r
    assert r.errors == errors
    assert http.get("/api/signup/state").payload == {"step": "register"}
    outbox.drain(stack)
    assert outbox.mails(address) == []


def test_names_are_one_rule_in_signup_and_personal_data(user_http, http):
    for value in ("Ada\u202e", "\u200b", "A\x1b[31m"):
        r = http.post("/api/signup/register", person(unique(), given_name=value))
        assert r.errors == {"given_name": ["validation.name_invalid"]}, r
        r = user_http.post("/api/personal-data/user", {"given_name": value, "surname": "L", "language": "en"})
        assert r.errors == {"given_name": ["validation.name_invalid"]}, r


@pytest.mark.parametrize("code", ["123456\n", "１２３４５６", "123"])
def test_a_code_is_only_ascii_digits(http, code):
    # before: "123456\n" passed Regexp(r"^[0-9]{4,10}$") (Python's $ matches before a final \n)
    r = http.post("/api/signup/verify", {"email": unique(), "code": code})
    assert r.status == 400 and r.errors == {"code": ["validation.code"]}, r
