"""A password reset never removes a second factor nor logs in (OWASP ASVS 4.0 2.5.x/6.4.3;
issue 12): the next login with the new password still asks for the factor."""
from __future__ import annotations

from tests.factors import LOGIN, MFA_TOTP, add_recovery_codes, add_totp, away_from_a_step_boundary, code_at
from tests.helpers import code_in, text_of
from tests.users import central_user

NEW_PASSWORD = "tangerine submarine orchestra 51"


def test_a_reset_keeps_the_factors_and_the_next_login_needs_one(http, new_user, stack, outbox):
    user = new_user()
    credential_id, secret = add_totp(stack, user.user_id)
    add_recovery_codes(stack, user.user_id, 2)
    assert http.post("/api/reset-password/start", {"email": user.email}).status == 200
    code = code_in(text_of(outbox.wait_for_mail(user.email)[-1]))
    assert http.post("/api/reset-password/verify", {"email": user.email, "code": code}).status == 200
    r = http.post("/api/reset-password/new-password", {"password": NEW_PASSWORD})
    assert r.status == 200, r
    # not logged in by the reset
    assert http.get("/api/authn/session").payload["logged_in"] is False
    assert http.get("/api/security/credentials").status == 401
    types = [c["type"] for c in central_user(stack, user.user_id)["credentials"]]
    assert sorted(types) == ["password", "recovery_code", "recovery_code", "totp"]
    # the new password alone does not log in
    login = http.post(LOGIN, {"email": user.email, "password": NEW_PASSWORD})
    assert login.status == 200 and login.payload["logged_in"] is False, login
    assert login.payload["methods"] == ["totp", "recovery_code"]
    away_from_a_step_boundary()
    done = http.post(MFA_TOTP, {"code": code_at(secret)})
    assert done.status == 200 and done.payload["logged_in"] is True, done
