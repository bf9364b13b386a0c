"""Recovery codes (API.md, *security* and *authn*; issue 12): 10 per generation, shown
once, stored as argon2id hashes, single use even in parallel, replaced by a new
generation, and a way to complete a pending login."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher

from common.factors import normalize_recovery_code
from tests.factors import LOGIN, MFA_RECOVERY, add_recovery_codes, add_totp
from tests.helpers import HttpClient, text_of, wait_for
from tests.parallel import post_together
from tests.users import central_user

GENERATE = "/api/security/recovery-codes"


def stored_codes(stack, user):
    return [c for c in central_user(stack, user.user_id)["credentials"] if c["type"] == "recovery_code"]


def test_codes_need_a_second_factor(api, new_user, stack):
    user = new_user()
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(GENERATE)
    assert (r.status, r.message) == (400, "security.no_second_factor"), r
    assert stored_codes(stack, user) == []


def test_ten_codes_shown_once_stored_as_hashes_and_mailed(api, new_user, stack, outbox):
    user = new_user()
    add_totp(stack, user.user_id)
    client = api("security")
    client.login_as(user.user_id)
    r = client.post(GENERATE)
    assert r.status == 200 and r.type == "POST_SECURITY_RECOVERY_CODES_SUCCESS", r
    codes = r.payload["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10 and r.payload["recovery_codes_left"] == 10
    stored = stored_codes(stack, user)
    assert len(stored) == 10
    for code, credential in zip(codes, stored):
        assert credential["hash"].startswith("$argon2id$") and code not in str(credential)
    assert PasswordHasher().verify(stored[0]["hash"], normalize_recovery_code(codes[0]))
    listed = client.get("/api/security/credentials").payload
    assert listed["recovery_codes_left"] == 10 and "codes" not in listed
    assert {c["type"] for c in listed["credentials"]} == {"password", "totp"}
    [mail] = outbox.wait_for_mail(user.email)
    assert "recovery codes" in text_of(mail) and codes[0] not in text_of(mail)


def _pending(http, user):
    r = http.post(LOGIN, {"email": user.email, "password": user.password})
    assert r.payload["mfa_required"] is True and "recovery_code" in r.payload["methods"], r


def test_a_recovery_code_completes_a_login_once(http, new_user, stack):
    user = new_user()
    add_totp(stack, user.user_id)
    codes = add_recovery_codes(stack, user.user_id, 2)
    _pending(http, user)
    r = http.post(MFA_RECOVERY, {"code": codes[0].upper().replace("-", " ")})
    assert r.status == 200 and r.payload["logged_in"] is True and r.payload["amr"] == ["pwd", "otp", "mfa"], r
    # the use reaches the central user through the AM, a moment later
    assert wait_for(lambda: http.get("/api/security/credentials").payload["recovery_codes_left"] == 1)
    http.post("/api/authn/logout")
    _pending(http, user)
    again = http.post(MFA_RECOVERY, {"code": codes[0]})
    assert (again.status, again.message) == (401, "authn.invalid_code"), again
    assert http.post(MFA_RECOVERY, {"code": codes[1]}).status == 200


def test_a_code_used_in_two_parallel_logins_logs_in_once(stack, new_user):
    user = new_user()
    add_totp(stack, user.user_id)
    [code] = add_recovery_codes(stack, user.user_id, 1)
    browsers = [HttpClient(stack.base_url) for _ in range(2)]
    try:
        for browser in browsers:
            _pending(browser, user)
        # one request in each session, released together
        barrier = threading.Barrier(2)

        def use(browser):
            barrier.wait()
            return browser.post(MFA_RECOVERY, {"code": code})

        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(use, browsers))
        assert sorted((r.status, r.message) for r in answers) == [(200, None), (401, "authn.invalid_code")], answers
    finally:
        for browser in browsers:
            browser.close()


def test_parallel_requests_of_one_session_use_a_code_once(http, new_user, stack):
    user = new_user()
    add_totp(stack, user.user_id)
    [code] = add_recovery_codes(stack, user.user_id, 1)
    _pending(http, user)
    answers = post_together(http, MFA_RECOVERY, [{"code": code}, {"code": code}])
    # the loser fails clearly: 401, or 403 csrf.invalid when it came after the winner's new session
    statuses = sorted(r.status for r in answers)
    assert statuses[0] == 200 and statuses[1] in (401, 403), answers
    assert wait_for(lambda: http.get("/api/security/credentials").payload["recovery_codes_left"] == 0)


def test_new_codes_replace_the_earlier_ones(http, new_user, stack):
    user = new_user()
    add_totp(stack, user.user_id)
    [old] = add_recovery_codes(stack, user.user_id, 1)
    _pending(http, user)
    assert http.post(MFA_RECOVERY, {"code": old}).status == 200  # logged in (and recent)
    [old2] = add_recovery_codes(stack, user.user_id, 1)
    new = http.post(GENERATE).payload["codes"]
    http.post("/api/authn/logout")
    _pending(http, user)
    r = http.post(MFA_RECOVERY, {"code": old2})
    assert (r.status, r.message) == (401, "authn.invalid_code"), r
    assert http.post(MFA_RECOVERY, {"code": new[0]}).status == 200
