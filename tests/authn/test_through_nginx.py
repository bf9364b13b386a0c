"""authn as the browser sees it, through nginx and the services under gunicorn."""
from __future__ import annotations

import requests


def replay(stack, path, cookie):
    """GET ``path`` with nothing but ``cookie`` as the session cookie."""
    r = requests.get(stack.base_url + path, cookies={"tessera_session": cookie}, timeout=30)
    return r.status_code, r.json()


def test_session_fixation_the_cookie_changes_at_login(stack, http, make_user):
    user = make_user()
    http.get("/api/jsconfig/config")
    anonymous = http.cookie
    assert anonymous
    r = http.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200, r
    assert http.cookie and http.cookie != anonymous
    assert http.get("/api/authn/session").payload["user_id"] == user.user_id
    # whoever planted or saw the pre-login cookie gets nothing from it
    status, body = replay(stack, "/api/authn/session", anonymous)
    assert status == 200 and body["payload"]["logged_in"] is False
    status, body = replay(stack, "/api/personal-data/user", anonymous)
    assert status == 401 and body["payload"]["message"] == "authn.required"


def test_logout_kills_the_old_cookie(stack, http, make_user):
    user = make_user()
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    logged_in = http.cookie
    assert http.get("/api/personal-data/user").status == 200
    r = http.post("/api/authn/logout")
    assert r.status == 200 and r.payload["csrf_token"]
    assert http.get("/api/personal-data/user").status == 401
    status, body = replay(stack, "/api/personal-data/user", logged_in)
    assert status == 401
    assert body == {"type": "GET_PERSONAL_DATA_USER_FAIL", "error": True, "payload": {"message": "authn.required"}}


def test_login_without_csrf_through_nginx(http, make_user):
    user = make_user()
    http.get("/api/jsconfig/config")
    r = http.post("/api/authn/login", {"email": user.email, "password": user.password}, csrf=False)
    assert r.status == 403 and r.message == "csrf.invalid"
    assert http.get("/api/authn/session").payload["logged_in"] is False


def test_enumeration_through_nginx(http, make_user):
    user = make_user("ada@example.org")
    wrong = http.post("/api/authn/login", {"email": user.email, "password": "wrong password 1"})
    unknown = http.post("/api/authn/login", {"email": "nobody@example.org", "password": "wrong password 1"})
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body


def test_session_cookie_attributes(http, make_user):
    user = make_user()
    r = http.session.post(http.base_url + "/api/authn/login", json={"email": user.email, "password": user.password},
                          headers={"X-CSRF-Token": http.get("/api/jsconfig/config").payload["csrf_token"]},
                          timeout=30)
    assert r.status_code == 200
    # the login also sets the device cookie (new sign-in alerts): take the session's
    [set_cookie] = [c for c in r.raw.headers.getlist("Set-Cookie") if c.startswith("tessera_session=")]
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Path=/" in set_cookie
