"""The whole journey of a new user, as the SPA drives it, through nginx.

register → the code from the mail → verify → set a password (logged in) → personal
data from the central db → change the name → logout (the old cookie is dead) → login.
"""
from __future__ import annotations

import time
import uuid

import requests

from tests.helpers import code_in, text_of
from tests.users import central_user

PASSWORD = "a long and unusual passphrase for tessera 7"


def wait_until(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return value


def test_register_verify_set_password_edit_logout_login(stack, http, outbox):
    # the outbox outlives the data wipe: a fresh address keeps old mails out of the way
    email = f"ada.{uuid.uuid4().hex[:8]}@example.org"
    r = http.post("/api/signup/register", {"email": email, "given_name": "Ada", "surname": "Lovelace",
                                           "tou_accepted": True, "language": "en"})
    assert r.status == 200, r

    code = code_in(text_of(outbox.wait_for_mail(email)[-1]))
    r = http.post("/api/signup/verify", {"email": email, "code": code})
    assert r.status == 200, r

    anonymous_cookie = http.cookie
    r = http.post("/api/signup/password", {"password": PASSWORD})
    assert r.status in (200, 202), r
    user_id = r.payload["user_id"]
    assert http.cookie != anonymous_cookie
    session = http.get("/api/authn/session").payload
    assert session["logged_in"] is True and session["user_id"] == user_id

    # the account reaches the central db through the AM (a 202 above means "shortly")
    wait_until(lambda: central_user(stack, user_id))
    r = http.get("/api/personal-data/user")
    assert r.status == 200, r
    assert r.payload["user_id"] == user_id
    assert (r.payload["given_name"], r.payload["surname"]) == ("Ada", "Lovelace")
    assert r.payload["emails"] == [{"email": email, "verified": True, "primary": True}]

    r = http.post("/api/personal-data/user", {"given_name": "Augusta Ada", "surname": "King", "language": "sv"})
    assert r.status == 200, r
    assert r.payload["display_name"] == "Augusta Ada King"
    assert central_user(stack, user_id)["given_name"] == "Augusta Ada"
    assert http.get("/api/personal-data/user").payload["language"] == "sv"

    logged_in_cookie = http.cookie
    r = http.post("/api/authn/logout")
    assert r.status == 200, r
    old = requests.get(stack.base_url + "/api/personal-data/user", cookies={"tessera_session": logged_in_cookie},
                       timeout=30)
    assert old.status_code == 401
    assert old.json()["payload"]["message"] == "authn.required"
    assert http.get("/api/personal-data/user").status == 401

    r = http.post("/api/authn/login", {"email": email, "password": "not my passphrase at all"})
    assert r.status == 401 and r.message == "authn.invalid_credentials"
    r = http.post("/api/authn/login", {"email": email, "password": PASSWORD})
    assert r.status == 200, r
    assert r.payload["user_id"] == user_id
    r = http.get("/api/personal-data/user")
    assert r.status == 200 and r.payload["given_name"] == "Augusta Ada"
