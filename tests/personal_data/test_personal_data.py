"""GET/POST /api/personal-data/user against the real AM and central database."""
from __future__ import annotations

import json
import time
from datetime import datetime

import pytest

from common.config import etcd_client
from devstack import manager
from tests.users import central_user

NEW = {"given_name": "Augusta Ada", "surname": "King", "language": "sv"}


def logged_in(api, user, **overrides):
    client = api("personal_data", **overrides)
    client.login_as(user.user_id)
    return client


def test_get_user_needs_login(api):
    r = api("personal_data").get("/api/personal-data/user")
    assert r.status == 401 and r.message == "authn.required"
    assert r.type == "GET_PERSONAL_DATA_USER_FAIL"


def test_get_user_shows_the_central_user_without_credentials(api, make_user):
    user = make_user("ada@example.org", given_name="Ada", surname="Lovelace",
                     phones=({"number": "+46701234567", "verified": True, "primary": True},))
    r = logged_in(api, user).get("/api/personal-data/user")
    assert r.status == 200, r
    assert r.type == "GET_PERSONAL_DATA_USER_SUCCESS"
    p = r.payload
    assert set(p) == {"user_id", "given_name", "surname", "display_name", "language", "emails", "phones",
                      "created", "modified"}
    assert p["user_id"] == user.user_id
    assert (p["given_name"], p["surname"], p["display_name"], p["language"]) == ("Ada", "Lovelace", "Ada Lovelace", "en")
    assert p["emails"] == [{"email": "ada@example.org", "verified": True, "primary": True}]
    assert p["phones"] == [{"number": "+46701234567", "verified": True, "primary": True, "display": "+46 70 123 45 67"}]
    assert datetime.fromisoformat(p["created"]) == user.document["created"]
    assert datetime.fromisoformat(p["modified"]).utcoffset().total_seconds() == 0
    assert "credentials" not in json.dumps(r.body) and "argon2" not in json.dumps(r.body)


def test_get_user_of_a_deleted_account(api):
    client = api("personal_data")
    client.login_as("0" * 32)
    r = client.get("/api/personal-data/user")
    assert r.status == 401 and r.message == "authn.required"


def test_update_user_through_the_am(stack, api, make_user):
    user = make_user()
    client = logged_in(api, user)
    r = client.post("/api/personal-data/user", {"given_name": "  Augusta Ada ", "surname": "King\t", "language": "sv"})
    assert r.status == 200, r
    assert r.type == "POST_PERSONAL_DATA_USER_SUCCESS"
    assert (r.payload["given_name"], r.payload["surname"], r.payload["display_name"], r.payload["language"]) == \
        ("Augusta Ada", "King", "Augusta Ada King", "sv")
    central = central_user(stack, user.user_id)
    assert (central["given_name"], central["surname"], central["display_name"], central["language"]) == \
        ("Augusta Ada", "King", "Augusta Ada King", "sv")
    assert central["modified"] > user.document["modified"]
    assert central["credentials"] == user.document["credentials"]  # nothing else touched
    assert client.get("/api/personal-data/user").payload["given_name"] == "Augusta Ada"


def test_update_user_with_a_display_name(stack, api, make_user):
    user = make_user()
    r = logged_in(api, user).post("/api/personal-data/user", {**NEW, "display_name": " Ada "})
    assert r.status == 200, r
    assert r.payload["display_name"] == "Ada"
    assert central_user(stack, user.user_id)["display_name"] == "Ada"


@pytest.mark.parametrize("field, value", [
    ("given_name", ""),
    ("given_name", "   "),
    ("surname", "x" * 101),
    ("surname", "King\nBcc: someone"),
    ("given_name", "Ada\x00"),
    ("given_name", "Ada\u202egnik"),
    ("display_name", ""),
    ("language", "de"),
    ("language", ""),
    ("given_name", None),
    ("surname", 42),
])
def test_update_user_rejects_bad_values(stack, api, make_user, field, value):
    user = make_user()
    r = logged_in(api, user).post("/api/personal-data/user", {**NEW, field: value})
    assert r.status == 400, r
    assert r.message == "request.invalid"
    assert list(r.errors) == [field]
    assert central_user(stack, user.user_id)["given_name"] == "Ada"


def test_update_user_accepts_100_characters_and_letters_of_any_script(api, make_user):
    user = make_user()
    r = logged_in(api, user).post("/api/personal-data/user",
                                  {"given_name": "Å" * 100, "surname": "Ødegård-Ñúñez 李", "language": "en"})
    assert r.status == 200, r
    assert r.payload["given_name"] == "Å" * 100


def test_update_user_rejects_unknown_and_missing_fields(api, make_user):
    user = make_user()
    client = logged_in(api, user)
    r = client.post("/api/personal-data/user", {**NEW, "emails": []})
    assert r.status == 400 and "emails" in r.errors
    r = client.post("/api/personal-data/user", {"given_name": "Ada"})
    assert r.status == 400 and {"surname", "language"} <= set(r.errors)


def test_update_user_needs_login_and_csrf(stack, api, make_user):
    user = make_user()
    r = api("personal_data").post("/api/personal-data/user", NEW)
    assert r.status == 401 and r.message == "authn.required"
    r = logged_in(api, user).post("/api/personal-data/user", NEW, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    assert central_user(stack, user.user_id)["given_name"] == "Ada"


def _wait_for_worker(stack, name="workers:am", timeout=90.0):
    deadline = time.monotonic() + timeout
    while not manager.is_program_healthy(stack, name):  # every AM instance
        assert time.monotonic() < deadline, f"{name} did not come back"
        time.sleep(0.25)


def test_update_user_answers_202_when_the_am_does_not_answer(stack, api, make_user):
    user = make_user()
    client = logged_in(api, user, am_sync_timeout=0.5)
    manager.control(stack, "stop", "workers:am")
    try:
        r = client.post("/api/personal-data/user", NEW)
        assert r.status == 202, r
        assert r.message == "am.sync_pending"
        assert (r.payload["given_name"], r.payload["language"]) == ("Augusta Ada", "sv")
        assert central_user(stack, user.user_id)["given_name"] == "Ada"
    finally:
        manager.control(stack, "start", "workers:am")
        _wait_for_worker(stack)
    # the queued change is applied once the AM is back
    deadline = time.monotonic() + 20
    while central_user(stack, user.user_id)["given_name"] != "Augusta Ada":
        assert time.monotonic() < deadline, "the queued sync was not applied"
        time.sleep(0.2)


def test_update_user_refused_by_the_am(stack, api, make_user):
    """The AM refuses personal_data's sync when its whitelist lacks it: 409 with the AM's key."""
    user = make_user()
    client = logged_in(api, user)
    etcd = etcd_client()
    key = "/tessera/am/whitelist"
    original = etcd.read(key).value
    whitelist = json.loads(original)
    whitelist.pop("personal_data")
    etcd.write(key, json.dumps(whitelist))
    manager.control(stack, "restart", "workers:am")
    try:
        _wait_for_worker(stack)
        r = client.post("/api/personal-data/user", NEW)
        assert r.status == 409, r
        assert r.message == "am.attribute_not_allowed"
        assert central_user(stack, user.user_id)["given_name"] == "Ada"
    finally:
        etcd.write(key, original)
        manager.control(stack, "restart", "workers:am")
        _wait_for_worker(stack)


def test_update_user_through_nginx(stack, http, make_user):
    user = make_user()
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    r = http.post("/api/personal-data/user", {**NEW, "display_name": "Ada K."})
    assert r.status == 200, r
    r = http.get("/api/personal-data/user")
    assert (r.payload["given_name"], r.payload["display_name"], r.payload["language"]) == ("Augusta Ada", "Ada K.", "sv")
