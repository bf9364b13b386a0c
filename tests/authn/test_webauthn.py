"""Security keys as a second factor and passkeys for passwordless login (API.md, *authn*;
issue 12), driven by a software authenticator: replayed assertions, a key of another
account, a cloned key's sign count, synced passkeys that count 0, user verification."""
from __future__ import annotations

import pytest

from tests.factors import LOGIN, origin, register_key
from tests.helpers import HttpClient, wait_for
from tests.soft_authenticator import SoftAuthenticator, b64url
from tests.users import central_user

MFA_BEGIN, MFA_COMPLETE = "/api/authn/mfa/webauthn/begin", "/api/authn/mfa/webauthn/complete"
PASSKEY_BEGIN, PASSKEY_COMPLETE = "/api/authn/passkey/begin", "/api/authn/passkey/complete"


def with_key(api, new_user, stack, **options):
    """A new user with one registered key (``options`` for ``register_key``)."""
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    user.key = register_key(client, stack, **options)
    return user


def stored_key(stack, user):
    [key] = [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "webauthn"]
    return key


def pending(http, user):
    r = http.post(LOGIN, {"email": user.email, "password": user.password})
    assert r.payload["mfa_required"] is True and r.payload["methods"] == ["webauthn"], r


def second_step(http, key, **kwargs):
    options = http.post(MFA_BEGIN)
    assert options.status == 200, options
    return http.post(MFA_COMPLETE, {"credential": key.get(options.payload["options"], **kwargs)})


def test_a_security_key_completes_the_login(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    pending(http, user)
    options = http.post(MFA_BEGIN).payload["options"]
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(user.key.credential_id)]
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    before = http.cookie
    r = http.post(MFA_COMPLETE, {"credential": user.key.get(options)})
    assert r.status == 200 and r.type == "POST_AUTHN_MFA_WEBAUTHN_COMPLETE_SUCCESS", r
    assert r.payload["logged_in"] is True and r.payload["amr"] == ["pwd", "hwk", "mfa"]
    assert http.cookie != before
    # use and counter reach the central user through the AM
    assert wait_for(lambda: stored_key(stack, user)["last_used"] is not None)
    assert stored_key(stack, user)["sign_count"] == user.key.sign_count == 2


def test_a_replayed_assertion_is_refused(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    pending(http, user)
    options = http.post(MFA_BEGIN).payload["options"]
    assertion = user.key.get(options)
    assert http.post(MFA_COMPLETE, {"credential": assertion}).status == 200
    other = HttpClient(stack.base_url)
    try:
        pending(other, user)
        other.post(MFA_BEGIN)  # a fresh challenge; the old assertion answers the old one
        replay = other.post(MFA_COMPLETE, {"credential": assertion})
        assert (replay.status, replay.message) == (401, "authn.invalid_credentials"), replay
        assert other.get("/api/authn/session").payload["logged_in"] is False
    finally:
        other.close()


def test_a_challenge_answers_once(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    pending(http, user)
    options = http.post(MFA_BEGIN).payload["options"]
    wrong = user.key.get(options, origin="http://localhost.evil.example")
    assert http.post(MFA_COMPLETE, {"credential": wrong}).status == 401
    # the challenge is gone with the failed try: a right answer to it is refused too
    r = http.post(MFA_COMPLETE, {"credential": user.key.get(options)})
    assert (r.status, r.message) == (401, "authn.invalid_credentials"), r
    assert second_step(http, user.key).status == 200


def test_a_key_of_another_account_is_refused(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    stranger = with_key(api, new_user, stack)
    pending(http, user)
    r = second_step(http, stranger.key)
    assert (r.status, r.message) == (401, "authn.invalid_credentials"), r
    assert http.get("/api/authn/session").payload["logged_in"] is False


def test_a_cloned_key_is_refused_by_its_sign_count(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    clone = user.key.clone()  # copied while its counter stood at 1
    pending(http, user)
    assert second_step(http, user.key).status == 200  # the real key: 2
    assert wait_for(lambda: stored_key(stack, user)["sign_count"] == 2)
    http.post("/api/authn/logout")
    for count in (2, 1, 0):  # not more than the last count seen
        pending(http, user)
        r = second_step(http, clone, sign_count=count)
        assert (r.status, r.message) == (401, "authn.invalid_credentials"), (count, r)
    pending(http, user)
    assert second_step(http, user.key).status == 200  # the real key counts on: 3


def test_a_synced_passkey_that_counts_zero_is_accepted_again_and_again(http, api, new_user, stack):
    user = with_key(api, new_user, stack, passkey=True, counts=False)
    for _ in range(2):
        pending(http, user)
        r = second_step(http, user.key)
        assert r.status == 200 and user.key.sign_count == 0, r
        http.post("/api/authn/logout")


def test_a_passkey_logs_in_without_a_password(http, api, new_user, stack):
    user = with_key(api, new_user, stack, passkey=True)
    r = http.post(PASSKEY_BEGIN)
    assert r.status == 200 and r.type == "POST_AUTHN_PASSKEY_BEGIN_SUCCESS", r
    options = r.payload["options"]
    assert options["userVerification"] == "required" and options.get("allowCredentials", []) == []
    done = http.post(PASSKEY_COMPLETE, {"credential": user.key.get(options)})
    assert done.status == 200 and done.payload["logged_in"] is True, done
    assert done.payload["user_id"] == user.user_id and done.payload["amr"] == ["hwk", "mfa"]
    assert http.get("/api/security/credentials").status == 200


@pytest.mark.parametrize("case", ["security key", "no user verification", "unknown user handle", "no challenge"])
def test_a_passkey_login_that_does_not_verify_is_refused(http, api, new_user, stack, case):
    user = with_key(api, new_user, stack, passkey=case != "security key")
    if case == "no user verification":  # registered with UV; this assertion has none
        user.key.verifies_user = False
    options = http.post(PASSKEY_BEGIN).payload["options"] if case != "no challenge" else {"challenge": "AAAA"}
    if case == "unknown user handle":
        user.key.user_handle = b"no-such-user"
    r = http.post(PASSKEY_COMPLETE, {"credential": user.key.get(options)})
    assert (r.status, r.message) == (401, "authn.invalid_credentials"), r
    assert http.get("/api/authn/session").payload["logged_in"] is False


def test_a_passkey_re_authenticates_a_logged_in_session(http, api, new_user, stack):
    user = with_key(api, new_user, stack, passkey=True)
    options = http.post(PASSKEY_BEGIN).payload["options"]
    first = http.post(PASSKEY_COMPLETE, {"credential": user.key.get(options)})
    options = http.post(PASSKEY_BEGIN).payload["options"]
    again = http.post(PASSKEY_COMPLETE, {"credential": user.key.get(options)})
    assert again.status == 200 and again.payload["user_id"] == user.user_id, again
    assert again.payload["auth_time"] >= first.payload["auth_time"]


def test_no_assertion_without_a_pending_login(http, api, new_user, stack):
    user = with_key(api, new_user, stack)
    r = http.post(MFA_BEGIN)
    assert (r.status, r.message) == (401, "authn.mfa_not_pending"), r
    r = http.post(MFA_COMPLETE, {"credential": user.key.get({"challenge": "AAAA", "rpId": "localhost"})})
    assert (r.status, r.message) == (401, "authn.mfa_not_pending"), r
