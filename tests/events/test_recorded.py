"""Every service records its security events where they happen (``common.events``), and
the owner reads them through GET /api/security/events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.contacts import new_mail, new_sms, wrong
from tests.factors import LOGIN, MFA_TOTP, add_totp, away_from_a_step_boundary, code_at
from tests.helpers import HttpClient, code_in, text_of

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NEW_PASSWORD = "periwinkle lighthouse acrobat 88"


def _browser(stack) -> HttpClient:
    client = HttpClient(stack.base_url)
    client.session.headers["User-Agent"] = FIREFOX
    return client


def _types(logged_events, user_id) -> list[str]:
    return [e["type"] for e in logged_events(user_id)]


def test_authn_records_logins_failures_and_logouts_and_the_owner_reads_them(stack, new_user):
    user = new_user()
    browser = _browser(stack)
    try:
        assert browser.post(LOGIN, {"email": user.email, "password": "wrong password 123"}).status == 401
        assert browser.post(LOGIN, {"email": user.email, "password": user.password}).status == 200
        assert browser.post("/api/authn/logout").status == 200
        assert browser.post(LOGIN, {"email": user.email, "password": user.password}).status == 200
        r = browser.get("/api/security/events")
    finally:
        browser.close()
    assert r.status == 200 and r.type == "GET_SECURITY_EVENTS_SUCCESS"
    # the first login came from a browser new to the account (the second, the same browser: known)
    assert [e["type"] for e in r.payload["events"]] == ["login", "logout", "new_device_login", "login", "login_failed"]
    assert r.payload["next"] is None
    now = datetime.now(timezone.utc)
    for event in r.payload["events"]:
        assert event["ip"] == "127.0.0.1" and event["user_agent"] == "Firefox on Linux"
        assert abs(datetime.fromisoformat(event["at"]) - now) < timedelta(seconds=60)
    assert r.payload["events"][0]["details"] == {"amr": ["pwd"], "method": "password"}
    assert r.payload["events"][-1]["details"] == {"method": "password"}


def test_an_unknown_address_records_nothing(stack, http, logged_events):
    assert http.post(LOGIN, {"email": "nobody@example.org", "password": "wrong password 123"}).status == 401
    assert logged_events("nobody@example.org") == []


def test_authn_records_a_wrong_second_factor_code_and_the_login_it_completes(stack, new_user, logged_events):
    user = new_user()
    _, secret = add_totp(stack, user.user_id)
    browser = _browser(stack)
    try:
        assert browser.post(LOGIN, {"email": user.email, "password": user.password}).payload["mfa_required"]
        away_from_a_step_boundary()
        code = code_at(secret)
        bad = next(c for c in (wrong(code), wrong(wrong(code)))
                   if c not in {code_at(secret, -1), code, code_at(secret, 1)})
        assert browser.post(MFA_TOTP, {"code": bad}).status == 401
        assert browser.post(MFA_TOTP, {"code": code}).status == 200
    finally:
        browser.close()
    events = logged_events(user.user_id)
    assert [(e["type"], e["details"]) for e in events if e["type"] != "new_device_login"] == [
        ("mfa_failed", {"method": "totp"}), ("login", {"amr": ["pwd", "otp", "mfa"], "method": "totp"})]
    assert [e["type"] for e in events][-1] == "new_device_login"  # completed: a new browser
    assert {e["service"] for e in events} == {"authn"}


def test_emails_records_added_verified_primary_and_removed(signed_in, outbox, logged_events):
    client, user = signed_in("emails")
    second = f"second.{user.user_id[:12]}@example.org"
    _, mail = new_mail(outbox, second, lambda: client.post("/api/emails/new", {"email": second}))
    assert client.post("/api/emails/verify", {"email": second, "code": code_in(text_of(mail))}).status == 200
    assert client.post("/api/emails/primary", {"email": second}).status == 200
    assert client.post("/api/emails/remove", {"email": user.email}).status == 200
    assert [(e["type"], e["details"]) for e in logged_events(user.user_id)] == [
        ("email_added", {"email": second}), ("email_verified", {"email": second}),
        ("primary_email_changed", {"email": second}), ("email_removed", {"email": user.email})]


def test_a_refused_change_records_nothing(signed_in, logged_events):
    client, user = signed_in("emails")
    r = client.post("/api/emails/remove", {"email": user.email})
    assert r.status == 400  # the primary address stays
    assert logged_events(user.user_id) == []


def test_phones_records_added_verified_and_removed(signed_in, outbox, logged_events):
    client, user = signed_in("phones")
    number = "+46701740" + user.user_id[:3].translate(str.maketrans("abcdef", "123456"))
    _, sms = new_sms(outbox, number, lambda: client.post("/api/phones/new", {"number": number}))
    assert client.post("/api/phones/verify", {"number": number, "code": code_in(sms["text"])}).status == 200
    assert client.post("/api/phones/remove", {"number": number}).status == 200
    assert [(e["type"], e["details"]) for e in logged_events(user.user_id)] == [
        ("phone_added", {"number": number}), ("phone_verified", {"number": number}),
        ("phone_removed", {"number": number})]


def test_security_records_password_and_second_factor_changes(signed_in, logged_events):
    client, user = signed_in("security")
    assert client.post("/api/security/change-password", {"new_password": NEW_PASSWORD}).status == 200
    away_from_a_step_boundary()
    secret = client.post("/api/security/totp/begin").payload["secret"]
    r = client.post("/api/security/totp/complete", {"code": code_at(secret)})
    assert r.status == 200, r
    [totp] = [c for c in r.payload["credentials"] if c["type"] == "totp"]
    assert client.post("/api/security/recovery-codes").status == 200
    assert client.post("/api/security/credentials/remove", {"credential_id": totp["credential_id"]}).status == 200
    events = logged_events(user.user_id)
    assert [(e["type"], e["details"]) for e in events] == [
        ("password_changed", {"sessions_ended": 0}), ("credential_added", {"type": "totp"}),
        ("recovery_codes_generated", {"count": 10}), ("credential_removed", {"type": "totp", "last": True})]
    assert {e["service"] for e in events} == {"security"}


def test_reset_password_records_the_reset(api, new_user, outbox, logged_events):
    user = new_user()
    client = api("reset_password")
    _, mail = new_mail(outbox, user.email, lambda: client.post("/api/reset-password/start", {"email": user.email}))
    assert client.post("/api/reset-password/verify", {"email": user.email, "code": code_in(text_of(mail))}).status == 200
    assert client.post("/api/reset-password/new-password", {"password": NEW_PASSWORD}).status == 200
    [event] = logged_events(user.user_id)
    assert (event["type"], event["service"], event["details"]) == ("password_reset", "reset_password",
                                                                   {"sessions_ended": 0})
