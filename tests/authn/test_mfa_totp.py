"""Login and re-authentication with a TOTP second factor (API.md, *authn*; issue 12):
the pending login, completion, ±1 step, single use, expiry, throttling together with the
password, and that nothing but the mfa routes answers while a login is pending."""
from __future__ import annotations

from datetime import datetime

import pytest

from common.api import GUARDS_ATTR
from common.authn import require_login
from devstack.topology import SERVICES
from tests.factors import (LOGIN, MFA_RECOVERY, MFA_TOTP, add_recovery_codes, add_totp, age_pending_flows,
                           away_from_a_step_boundary, code_at, pending_flows)
from tests.parallel import post_together


def login(client, user):
    return client.post(LOGIN, {"email": user.email, "password": user.password})


@pytest.fixture
def totp_user(new_user, stack):
    """A user with a password and a TOTP factor; ``.secret`` is its TOTP secret."""
    user = new_user()
    user.credential_id, user.secret = add_totp(stack, user.user_id)
    return user


def test_the_password_alone_leaves_a_pending_login(http, totp_user, stack):
    before = http.cookie
    r = login(http, totp_user)
    assert r.status == 200, r
    assert r.payload["logged_in"] is False and r.payload["mfa_required"] is True
    assert r.payload["methods"] == ["totp"]
    assert r.payload["user_id"] is None and r.payload["auth_time"] is None  # nobody named yet
    assert http.cookie != before  # a new session id already at the password step
    s = http.get("/api/authn/session").payload
    assert s == {"logged_in": False, "user_id": None, "auth_time": None, "amr": None, "mfa_pending": True,
                 "mfa_methods": ["totp"]}  # a page reloaded in the second step can show it again
    [flow] = pending_flows(stack)
    assert flow["data"]["user_id"] == totp_user.user_id
    assert flow["expires_at"] - datetime.now().timestamp() <= 300


def _login_only_routes(make_app):
    for service in SERVICES:
        app = make_app(service.name)
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if require_login in getattr(view, GUARDS_ATTR, ()):
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield method, rule.rule


def test_every_login_only_route_answers_401_while_the_login_is_pending(http, make_app, totp_user):
    assert login(http, totp_user).payload["mfa_required"] is True
    routes = list(_login_only_routes(make_app))
    assert ("GET", "/api/security/credentials") in routes and ("POST", "/api/security/totp/begin") in routes
    for method, path in routes:
        r = http.get(path) if method == "GET" else http.post(path, {})
        assert (r.status, r.message) == (401, "authn.required"), (method, path, r)


def test_a_totp_code_completes_the_login_with_a_new_session_id_and_amr(http, totp_user, stack):
    login(http, totp_user)
    pending_cookie = http.cookie
    away_from_a_step_boundary()
    r = http.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    assert r.status == 200 and r.type == "POST_AUTHN_MFA_TOTP_SUCCESS", r
    assert r.payload["logged_in"] is True and r.payload["user_id"] == totp_user.user_id
    assert r.payload["amr"] == ["pwd", "otp", "mfa"] and r.payload["mfa_required"] is False
    assert http.cookie != pending_cookie
    s = http.get("/api/authn/session").payload
    assert s["logged_in"] is True and s["amr"] == ["pwd", "otp", "mfa"] and s["mfa_pending"] is False
    assert "mfa_methods" not in s  # only while a step is pending
    assert http.get("/api/security/credentials").status == 200


@pytest.mark.parametrize("offset", [-1, 1])
def test_a_code_one_step_away_is_accepted(http, totp_user, offset):
    login(http, totp_user)
    away_from_a_step_boundary()
    assert http.post(MFA_TOTP, {"code": code_at(totp_user.secret, offset)}).status == 200


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_a_code_from_outside_the_window_is_refused(http, totp_user, offset):
    login(http, totp_user)
    away_from_a_step_boundary()
    r = http.post(MFA_TOTP, {"code": code_at(totp_user.secret, offset)})
    assert (r.status, r.message) == (401, "authn.invalid_code"), r
    assert http.get("/api/authn/session").payload["logged_in"] is False


def test_a_code_is_accepted_once(http, stack, totp_user):
    from tests.helpers import HttpClient

    away_from_a_step_boundary(margin=8)
    code = code_at(totp_user.secret)
    login(http, totp_user)
    assert http.post(MFA_TOTP, {"code": code}).status == 200
    other = HttpClient(stack.base_url)
    try:
        login(other, totp_user)
        replay = other.post(MFA_TOTP, {"code": code})
        assert (replay.status, replay.message) == (401, "authn.invalid_code"), replay
        # an earlier step than the one used is refused too (RFC 6238 §5.2)
        earlier = other.post(MFA_TOTP, {"code": code_at(totp_user.secret, -1)})
        assert (earlier.status, earlier.message) == (401, "authn.invalid_code"), earlier
        assert other.get("/api/authn/session").payload["logged_in"] is False
    finally:
        other.close()


def test_parallel_completions_with_one_code_log_in_once(http, totp_user):
    login(http, totp_user)
    away_from_a_step_boundary(margin=8)
    code = code_at(totp_user.secret)
    answers = post_together(http, MFA_TOTP, [{"code": code}, {"code": code}, {"code": code}])
    # the losers fail clearly: the code was used (401), or they arrived after the winner's
    # new session and carry the old session's CSRF token (403 csrf.invalid)
    statuses = sorted(r.status for r in answers)
    assert statuses[0] == 200 and all(s in (401, 403) for s in statuses[1:]), answers


def test_an_expired_pending_login_is_refused(http, totp_user, stack):
    login(http, totp_user)
    assert age_pending_flows(stack, 301) == 1
    away_from_a_step_boundary()
    r = http.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    assert (r.status, r.message) == (401, "authn.mfa_not_pending"), r
    s = http.get("/api/authn/session").payload
    assert s["logged_in"] is False and s["mfa_pending"] is False


def test_without_a_pending_login_the_mfa_routes_refuse(http, totp_user):
    r = http.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    assert (r.status, r.message) == (401, "authn.mfa_not_pending"), r


def test_a_method_the_account_lacks_is_refused(http, totp_user):
    login(http, totp_user)
    r = http.post(MFA_RECOVERY, {"code": "aaaa-bbbb-cccc-dddd"})
    assert (r.status, r.message) == (400, "authn.mfa_method_unavailable"), r


def test_malformed_codes_are_400_and_not_counted(http, totp_user):
    login(http, totp_user)
    for code in ("12345", "1234567", "abcdef", 123456, "123456\n", "１２３４５６"):
        r = http.post(MFA_TOTP, {"code": code})
        assert (r.status, r.message) == (400, "request.invalid"), r
    away_from_a_step_boundary()
    assert http.post(MFA_TOTP, {"code": code_at(totp_user.secret)}).status == 200


def test_wrong_codes_count_with_the_password_failures_of_the_account(api, totp_user):
    client = api("authn")  # the default limit: 5 failures per account per 5 minutes
    for _ in range(2):
        assert client.post(LOGIN, {"email": totp_user.email, "password": "wrong password 123"}).status == 401
    assert login(client, totp_user).payload["mfa_required"] is True
    wrong = code_at(totp_user.secret, 5)
    for _ in range(3):  # failures 3, 4 and 5
        r = client.post(MFA_TOTP, {"code": wrong})
        assert (r.status, r.message) == (401, "authn.invalid_code"), r
    # the account is locked: neither a right code nor the right password is checked
    right = client.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    assert right.status == 429 and int(right.headers["Retry-After"]) > 0, right
    again = login(api("authn"), totp_user)
    assert again.status == 429, again


def test_reauthentication_with_a_second_factor(http, totp_user):
    login(http, totp_user)
    away_from_a_step_boundary()
    first = http.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    auth_time = first.payload["auth_time"]
    r = http.post("/api/authn/reauthenticate", {"password": totp_user.password})
    assert r.status == 200 and r.payload["mfa_required"] is True and r.payload["methods"] == ["totp"], r
    # still logged in, with the old auth_time, while the step is pending
    s = http.get("/api/authn/session").payload
    assert s["logged_in"] is True and s["auth_time"] == auth_time and s["mfa_pending"] is True
    assert http.get("/api/security/credentials").status == 200
    # the code of the login is used; the next step's code completes the re-authentication
    done = http.post(MFA_TOTP, {"code": code_at(totp_user.secret, 1)})
    assert done.status == 200 and done.payload["logged_in"] is True, done
    assert done.payload["auth_time"] >= auth_time and done.payload["amr"] == ["pwd", "otp", "mfa"]
    assert http.get("/api/authn/session").payload["mfa_pending"] is False


def test_a_login_without_a_second_factor_is_unchanged(http, new_user):
    user = new_user()
    r = login(http, user)
    assert r.payload["logged_in"] is True and r.payload["mfa_required"] is False and r.payload["methods"] == []
    assert http.get("/api/authn/session").payload["amr"] == ["pwd"]


def test_a_password_change_ends_a_pending_login(http, api, totp_user, stack):
    [code] = add_recovery_codes(stack, totp_user.user_id, 1)
    login(http, totp_user)
    # the owner changes the password in another session meanwhile (someone else knew it)
    owner = api("security")
    owner.login_as(totp_user.user_id)
    changed = owner.post("/api/security/change-password", {"new_password": "periwinkle lighthouse acrobat 88"})
    assert changed.status == 200, changed
    away_from_a_step_boundary()
    r = http.post(MFA_TOTP, {"code": code_at(totp_user.secret)})
    assert (r.status, r.message) == (401, "authn.mfa_not_pending"), r
    assert http.get("/api/authn/session").payload["logged_in"] is False
    # nothing was used up by the refused step: the recovery code still logs in after the new password
    assert http.post(LOGIN, {"email": totp_user.email, "password": "periwinkle lighthouse acrobat 88"}).status == 200
    assert http.post(MFA_RECOVERY, {"code": code}).status == 200


def test_the_session_names_every_method_of_the_pending_step(http, totp_user, stack):
    add_recovery_codes(stack, totp_user.user_id)
    assert login(http, totp_user).payload["methods"] == ["totp", "recovery_code"]
    s = http.get("/api/authn/session").payload
    assert s["mfa_pending"] is True and s["mfa_methods"] == ["totp", "recovery_code"]
    assert age_pending_flows(stack, 301) == 1  # expired: nothing is pending, no methods named
    s = http.get("/api/authn/session").payload
    assert s["mfa_pending"] is False and "mfa_methods" not in s
