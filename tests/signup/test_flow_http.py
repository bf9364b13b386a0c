"""The whole signup through nginx, as the SPA does it: register → mail → verify → password."""
from __future__ import annotations

from tests.helpers import code_in, text_of
from tests.signup.conftest import PASSWORD, person, unique_address


def test_signup_through_nginx(http, outbox, stack):
    address = unique_address("ada")
    assert http.get("/api/signup/state").payload == {"step": "register"}
    r = http.post("/api/signup/register", person(address.upper()))
    assert r.status == 200
    assert (r.payload["step"], r.payload["email"], r.payload["resend_in"] > 0) == ("verify", address, True)

    [mail] = outbox.wait_for_mail(address, timeout=90)
    assert mail["Subject"] == "Your Tessera verification code"
    code = code_in(text_of(mail))
    assert "Ada" in text_of(mail)
    r = http.post("/api/signup/verify", {"email": address, "code": code})
    assert r.status == 200
    assert r.payload == {"step": "password", "email": address}

    anonymous_cookie = http.cookie
    r = http.post("/api/signup/password", {"password": PASSWORD})
    assert r.status == 200, r
    user_id = r.payload["user_id"]
    assert http.cookie != anonymous_cookie
    assert http.get("/api/signup/state").payload == {"step": "done", "email": address}

    session = http.get("/api/authn/session")
    assert session.payload["logged_in"] is True and session.payload["user_id"] == user_id
    user = http.get("/api/personal-data/user")
    assert user.status == 200
    assert user.payload["display_name"] == "Ada Lovelace"
    assert [(e["email"], e["verified"], e["primary"]) for e in user.payload["emails"]] == [(address, True, True)]

    welcome = [m for m in outbox.wait_for_mail(address, 2, timeout=90) if m["Message-ID"] != mail["Message-ID"]]
    assert len(welcome) == 1
    assert f"{stack.base_url}/login" in text_of(welcome[0])

    # and the new password works for a login
    http.post("/api/authn/logout")
    login = http.post("/api/authn/login", {"email": address, "password": PASSWORD})
    assert login.status == 200


def test_csrf_is_required_through_nginx(http):
    r = http.post("/api/signup/register", person(unique_address("ada")), csrf=False)
    assert r.status == 403
    assert r.message == "csrf.invalid"
    assert r.type == "POST_SIGNUP_REGISTER_FAIL"


def test_health_through_nginx(http):
    r = http.get("/api/signup/status/healthy")
    assert r.status == 200
