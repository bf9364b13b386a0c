"""Enrolling and removing a TOTP factor (API.md, *security*; issue 12): nothing stored
before a correct code, the secret encrypted at rest, one per account, recent login
needed, notification mails, and that a user who enrolled needs the factor at login."""
from __future__ import annotations

import pyotp

from tests.factors import LOGIN, MFA_TOTP, add_recovery_codes, add_totp, away_from_a_step_boundary, code_at
from tests.helpers import text_of
from tests.users import central_user

BEGIN, COMPLETE = "/api/security/totp/begin", "/api/security/totp/complete"
CREDENTIALS, REMOVE = "/api/security/credentials", "/api/security/credentials/remove"


def types(stack, user):
    return [c["type"] for c in central_user(stack, user.user_id)["credentials"]]


def test_begin_shows_a_secret_and_stores_no_credential(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(BEGIN)
    assert r.status == 200 and r.type == "POST_SECURITY_TOTP_BEGIN_SUCCESS", r
    secret = r.payload["secret"]
    assert len(secret) == 32 and pyotp.TOTP(secret).now()  # base32
    assert r.payload["otpauth_uri"].startswith("otpauth://totp/Tessera:")
    assert f"secret={secret}" in r.payload["otpauth_uri"]
    assert r.payload["qr_svg"].startswith("<svg")
    assert types(stack, user) == ["password"]
    listed = client.get(CREDENTIALS).payload
    assert [c["type"] for c in listed["credentials"]] == ["password"] and listed["recovery_codes_left"] == 0


def test_complete_stores_the_factor_encrypted_and_mails(api, new_user, stack, outbox):
    user = new_user(given_name="Hedy")
    client = api("security")
    client.login_as(user.user_id)
    secret = client.post(BEGIN).payload["secret"]
    wrong = client.post(COMPLETE, {"code": code_at(secret, 5)})
    assert (wrong.status, wrong.message) == (400, "security.totp_code_invalid"), wrong
    assert types(stack, user) == ["password"]
    away_from_a_step_boundary()
    r = client.post(COMPLETE, {"code": code_at(secret)})
    assert r.status == 200 and r.type == "POST_SECURITY_TOTP_COMPLETE_SUCCESS", r
    shown = [c for c in r.payload["credentials"] if c["type"] == "totp"]
    assert len(shown) == 1 and set(shown[0]) == {"credential_id", "type", "created", "last_used"}
    [stored] = [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "totp"]
    assert stored["credential_id"] == shown[0]["credential_id"]
    assert secret not in str(stored) and stored["secret_enc"].startswith("gAAAA")  # a Fernet token
    [mail] = outbox.wait_for_mail(user.email)
    assert "authenticator app" in text_of(mail) and "Hedy" in text_of(mail)
    # the enrolment is used up
    again = client.post(COMPLETE, {"code": code_at(secret, 1)})
    assert (again.status, again.message) == (400, "security.totp_not_begun"), again


def test_the_enrolment_code_does_not_log_in_again(http, api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    secret = client.post(BEGIN).payload["secret"]
    away_from_a_step_boundary(margin=8)
    code = code_at(secret)
    assert client.post(COMPLETE, {"code": code}).status == 200
    assert http.post(LOGIN, {"email": user.email, "password": user.password}).payload["mfa_required"] is True
    r = http.post(MFA_TOTP, {"code": code})
    assert (r.status, r.message) == (401, "authn.invalid_code"), r


def test_one_totp_factor_per_account(api, new_user, stack):
    user = new_user()
    add_totp(stack, user.user_id)
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(BEGIN)
    assert (r.status, r.message) == (409, "security.totp_exists"), r


def test_enrolment_needs_a_recent_login(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id, auth_age=301)
    for path, body in ((BEGIN, {}), (COMPLETE, {"code": "123456"}), (REMOVE, {"credential_id": "x"}),
                       ("/api/security/recovery-codes", {})):
        r = client.post(path, body)
        assert (r.status, r.message) == (403, "authn.reauthn_required"), (path, r)


def test_an_enrolled_user_needs_the_factor_at_login(http, new_user):
    user = new_user()
    r = http.post(LOGIN, {"email": user.email, "password": user.password})
    assert r.payload["logged_in"] is True
    secret = http.post(BEGIN).payload["secret"]
    away_from_a_step_boundary()
    assert http.post(COMPLETE, {"code": code_at(secret)}).status == 200
    http.post("/api/authn/logout")
    r = http.post(LOGIN, {"email": user.email, "password": user.password})
    assert r.payload["logged_in"] is False and r.payload["methods"] == ["totp"], r
    assert http.get(CREDENTIALS).status == 401
    assert http.post(MFA_TOTP, {"code": code_at(secret, 1)}).status == 200
    assert http.get(CREDENTIALS).status == 200


def test_removing_the_last_factor_removes_the_recovery_codes_and_mails(api, http, new_user, stack, outbox):
    user = new_user()
    credential_id, _ = add_totp(stack, user.user_id)
    add_recovery_codes(stack, user.user_id, 3)
    client = api("security")
    client.login_as(user.user_id)
    assert client.get(CREDENTIALS).payload["recovery_codes_left"] == 3
    r = client.post(REMOVE, {"credential_id": credential_id})
    assert r.status == 200 and r.type == "POST_SECURITY_CREDENTIALS_REMOVE_SUCCESS", r
    assert [c["type"] for c in r.payload["credentials"]] == ["password"] and r.payload["recovery_codes_left"] == 0
    assert types(stack, user) == ["password"]
    [mail] = outbox.wait_for_mail(user.email)
    assert "no longer has a second factor" in " ".join(text_of(mail).split())
    # the password alone logs in again
    assert http.post(LOGIN, {"email": user.email, "password": user.password}).payload["logged_in"] is True


def test_the_password_and_unknown_ids_are_never_removed(api, new_user, stack, outbox):
    user = new_user()
    add_totp(stack, user.user_id)
    client = api("security")
    client.login_as(user.user_id)
    password_id = user.document["credentials"][0]["credential_id"]
    for credential_id in (password_id, "no-such-credential"):
        r = client.post(REMOVE, {"credential_id": credential_id})
        assert (r.status, r.message) == (404, "security.credential_not_found"), r
    assert types(stack, user) == ["password", "totp"]
    outbox.drain(stack)
    assert outbox.mails(user.email) == []


def test_an_enrolment_encrypted_with_a_key_no_longer_configured_is_refused(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    secret = client.post(BEGIN).payload["secret"]
    # the same session on a security whose key was rotated away meanwhile
    rotated = api("security", mfa_encryption_key="r" * 40)
    rotated.client.set_cookie("tessera_session", client.client.get_cookie("tessera_session").value)
    away_from_a_step_boundary()
    r = rotated.post(COMPLETE, {"code": code_at(secret)}, headers={"X-CSRF-Token": client.csrf_token()}, csrf=False)
    assert (r.status, r.message) == (400, "security.totp_not_begun"), r
    assert types(stack, user) == ["password"]
