"""New sign-in alerts (issue 14): a signed long-lived device cookie recognises the browsers
an account has logged in from; a login from any other mails the user, records
``new_device_login`` and remembers the browser. ``GET /api/security/devices`` lists them,
``POST /devices/forget`` forgets one. Through nginx, with real cookies."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from common.catalog import DEVICES_COLLECTION, DEVICES_DB
from tests.factors import MFA_TOTP, add_totp, away_from_a_step_boundary, code_at
from tests.helpers import HttpClient, code_in, text_of, wait_for
from tests.signup.conftest import PASSWORD, person, unique_address
from tests.users import mongo_client

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0.0.0 Safari/537.36")
LOGIN, LOGOUT = "/api/authn/login", "/api/authn/logout"
DEVICES, FORGET = "/api/security/devices", "/api/security/devices/forget"
SUBJECT = "New sign-in to your Tessera account"


@pytest.fixture
def browser(stack) -> Iterator:
    """``browser(FIREFOX)`` → a new HttpClient (a browser with an empty cookie jar)."""
    opened: list[HttpClient] = []

    def factory(agent: str = FIREFOX) -> HttpClient:
        client = HttpClient(stack.base_url)
        client.session.headers["User-Agent"] = agent
        opened.append(client)
        return client

    yield factory
    for client in opened:
        client.close()


def log_in(client: HttpClient, user) -> None:
    r = client.post(LOGIN, {"email": user.email, "password": user.password})
    assert r.status == 200 and r.payload["logged_in"] is True, r


def alerts(outbox, user) -> list:
    return [m for m in outbox.mails(user.email) if m["Subject"] == SUBJECT]


def device_cookie(client: HttpClient):
    [cookie] = [c for c in client.session.cookies if c.name == "tessera_device"]
    return cookie


def test_a_login_from_a_new_browser_is_mailed_recorded_and_remembered(browser, new_user, outbox, stack):
    user = new_user(given_name="Hedy")
    firefox = browser(FIREFOX)
    log_in(firefox, user)
    [mail] = outbox.wait_for_mail(user.email)
    assert mail["Subject"] == SUBJECT
    text = text_of(mail)
    assert "Hedy" in text and "Firefox on Linux" in text and "127.0.0.1" in text
    assert f"{stack.base_url}/reset-password" in text  # "this wasn't me"
    assert datetime.now(timezone.utc).strftime("%Y-%m-%d") in text
    cookie = device_cookie(firefox)
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.get_nonstandard_attr("SameSite") == "Lax"
    assert not cookie.secure  # the dev stack's public URL is http://localhost
    lives = datetime.fromtimestamp(cookie.expires, timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(days=360) < lives <= timedelta(days=366)
    [device] = firefox.get(DEVICES).payload["devices"]
    assert device["label"] == "Firefox on Linux" and device["current"] is True
    assert device["first_seen"] == device["last_seen"]
    newest = firefox.get("/api/security/events").payload["events"]
    assert [e["type"] for e in newest[:2]] == ["new_device_login", "login"]
    assert newest[0]["details"] == {"device": device["id"], "label": "Firefox on Linux"}


def test_a_known_browser_logs_in_without_a_mail(browser, new_user, outbox, stack):
    user = new_user()
    firefox = browser(FIREFOX)
    log_in(firefox, user)
    outbox.wait_for_mail(user.email)
    assert firefox.post(LOGOUT).status == 200
    log_in(firefox, user)
    outbox.drain(stack)  # everything queued so far is delivered: no second alert among it
    assert len(alerts(outbox, user)) == 1
    [device] = firefox.get(DEVICES).payload["devices"]
    assert device["current"] is True and device["last_seen"] >= device["first_seen"]


def test_another_browser_alerts_and_both_are_listed(browser, new_user, outbox):
    user = new_user()
    firefox, chrome = browser(FIREFOX), browser(CHROME_MAC)
    log_in(firefox, user)
    outbox.wait_for_mail(user.email)
    log_in(chrome, user)
    second = outbox.wait_for_mail(user.email, 2)[-1]
    assert "Chrome on Mac OS X" in text_of(second)
    listed = chrome.get(DEVICES).payload["devices"]
    assert [(d["label"], d["current"]) for d in listed] == [("Chrome on Mac OS X", True), ("Firefox on Linux", False)]


def test_a_forged_cookie_or_another_accounts_browser_is_unknown(browser, new_user, outbox, stack):
    ada, bob = new_user(), new_user()
    firefox = browser(FIREFOX)
    log_in(firefox, ada)
    outbox.wait_for_mail(ada.email)
    # the same browser is new for another account
    firefox.post(LOGOUT)
    log_in(firefox, bob)
    outbox.wait_for_mail(bob.email)
    assert len(bob_devices := firefox.get(DEVICES).payload["devices"]) == 1 and bob_devices[0]["current"]
    # a cookie whose signature does not verify is no cookie: Ada is alerted again
    firefox.post(LOGOUT)
    value = device_cookie(firefox).value
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    firefox.session.cookies.set("tessera_device", forged, domain=device_cookie(firefox).domain, path="/")
    log_in(firefox, ada)
    assert len(outbox.wait_for_mail(ada.email, 2)) == 2
    assert len(firefox.get(DEVICES).payload["devices"]) == 2
    assert device_cookie(firefox).value != forged  # a new, valid cookie replaced it


def test_a_forgotten_browser_alerts_again(browser, new_user, outbox, stack):
    user = new_user()
    firefox = browser(FIREFOX)
    log_in(firefox, user)
    outbox.wait_for_mail(user.email)
    [device] = firefox.get(DEVICES).payload["devices"]
    unknown = firefox.post(FORGET, {"id": "A" * 16})
    assert (unknown.status, unknown.message) == (404, "security.device_not_found"), unknown
    malformed = firefox.post(FORGET, {"id": "../x"})
    assert (malformed.status, malformed.message) == (400, "request.invalid"), malformed
    r = firefox.post(FORGET, {"id": device["id"]})
    assert r.status == 200 and r.type == "POST_SECURITY_DEVICES_FORGET_SUCCESS" and r.payload == {"devices": []}
    newest = firefox.get("/api/security/events").payload["events"][0]
    assert (newest["type"], newest["details"]) == ("device_forgotten", {"device": device["id"]})
    firefox.post(LOGOUT)
    log_in(firefox, user)
    assert len(outbox.wait_for_mail(user.email, 2)) == 2


def test_another_accounts_device_cannot_be_forgotten(browser, new_user, outbox):
    ada, bob = new_user(), new_user()
    ada_browser, bob_browser = browser(FIREFOX), browser(CHROME_MAC)
    log_in(ada_browser, ada)
    log_in(bob_browser, bob)
    [adas] = ada_browser.get(DEVICES).payload["devices"]
    r = bob_browser.post(FORGET, {"id": adas["id"]})
    assert (r.status, r.message) == (404, "security.device_not_found"), r
    assert ada_browser.get(DEVICES).payload["devices"] == [adas]


def test_the_devices_need_a_login(browser):
    anonymous = browser()
    assert (anonymous.get(DEVICES).status, anonymous.post(FORGET, {"id": "A" * 16}).status) == (401, 401)


def test_a_second_step_login_alerts(browser, new_user, outbox, stack):
    user = new_user()
    _, secret = add_totp(stack, user.user_id)
    firefox = browser(FIREFOX)
    assert firefox.post(LOGIN, {"email": user.email, "password": user.password}).payload["mfa_required"] is True
    outbox.drain(stack)
    assert alerts(outbox, user) == []  # the password alone has not logged in
    away_from_a_step_boundary()
    assert firefox.post(MFA_TOTP, {"code": code_at(secret)}).status == 200
    [mail] = outbox.wait_for_mail(user.email)
    assert mail["Subject"] == SUBJECT


def test_signup_logs_in_without_an_alert_and_records_the_login(browser, outbox, stack):
    firefox = browser(FIREFOX)
    address = unique_address("grace")
    assert firefox.post("/api/signup/register", person(address)).status == 200
    [mail] = outbox.wait_for_mail(address, timeout=60)
    assert firefox.post("/api/signup/verify", {"email": address, "code": code_in(text_of(mail))}).status == 200
    assert firefox.post("/api/signup/password", {"password": PASSWORD}).status == 200
    events = firefox.get("/api/security/events").payload["events"]
    assert [(e["type"], e["details"].get("method")) for e in events] == [("login", "signup")]
    [device] = firefox.get(DEVICES).payload["devices"]
    assert device["current"] is True and device["label"] == "Firefox on Linux"
    firefox.post(LOGOUT)
    assert firefox.post(LOGIN, {"email": address, "password": PASSWORD}).status == 200
    outbox.drain(stack)
    assert [m["Subject"] for m in outbox.mails(address) if m["Subject"] == SUBJECT] == []


def test_the_export_holds_the_devices_and_deletion_purges_them(browser, new_user, outbox, stack):
    user = new_user()
    firefox = browser(FIREFOX)
    log_in(firefox, user)
    export = firefox.get("/api/security/export").payload["export"]
    [device] = export["devices"]
    assert device["label"] == "Firefox on Linux" and device["user_id"] == user.user_id
    assert "browser_hash" not in device and "devices" not in export["services"]  # never what recognises it
    assert firefox.post("/api/security/terminate").status in (200, 202)
    client = mongo_client(stack)
    try:
        devices = client[DEVICES_DB][DEVICES_COLLECTION]
        assert wait_for(lambda: devices.count_documents({"user_id": user.user_id}) == 0, timeout=30)
    finally:
        client.close()
