"""Single sign-on as a newcomer sees it after ``make up`` (issue 13, "Done when" 1): the
demo relying party (devstack/demo_rp.py, Authlib's Flask client, on the stack's own
``demo_rp`` port) in Chromium — Sign in → Tessera's login page (and second step, and
consent for the third-party client) → back on the demo with the ID token's claims and
UserInfo → Sign out, confirmed at Tessera → Tessera's session is over and the demo is
back at its home page.

The demo lives at ``http://127.0.0.1:<port>`` and Tessera at ``http://localhost:<port>``:
two hosts, so neither sees the other's cookie, as with a real relying party.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from devstack.topology import Stack
from tests.e2e.steps import PASSWORD, sign_up, unique_email
from tests.factors import add_totp, away_from_a_step_boundary, code_at

pytestmark = pytest.mark.e2e


def table(page: Page, title: str) -> dict[str, str]:
    """The demo's table ``title`` ("ID token claims", "UserInfo") as claim → text."""
    rows = page.get_by_role("table", name=title).get_by_role("row").filter(has=page.locator("th[scope=row]"))
    return {row.locator("th").inner_text().strip(): row.locator("td").inner_text().strip() for row in rows.all()}


def tessera_session(page: Page, stack: Stack) -> dict:
    """``GET /api/authn/session`` with the browser's Tessera cookie: its payload."""
    answer = page.request.get(f"{stack.base_url}/api/authn/session")
    assert answer.ok, answer.text()
    return answer.json()["payload"]


def password_at_tessera(page: Page, stack: Stack, email: str, password: str) -> None:
    """On Tessera's login page (where the demo sent the browser): email and password."""
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.url.startswith(f"{stack.base_url}/login?next="), page.url
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def signed_in_at_the_demo(page: Page, stack: Stack, client_id: str, email: str, name: str) -> dict[str, str]:
    """Back on the demo, signed in: its tables show the user; returns the ID token's claims."""
    expect(page.get_by_text(f"Signed in through the client {client_id}.")).to_be_visible()
    assert page.url == f"{stack.demo_rp_url}/"
    claims, userinfo = table(page, "ID token claims"), table(page, "UserInfo")
    assert (claims["iss"], claims["aud"]) == (stack.base_url, client_id)
    assert (claims["email"], claims["name"]) == (email, name)
    assert (userinfo["sub"], userinfo["email"], userinfo["name"]) == (claims["sub"], email, name)
    assert tessera_session(page, stack)["logged_in"] is True
    return claims


def sign_out(page: Page, stack: Stack) -> None:
    """The demo's Sign out → Tessera asks and is told yes → the demo's home, signed out of both."""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out of Tessera?")).to_be_visible()
    page.get_by_role("button", name="Sign out", exact=True).click()
    # the URL first: Tessera's pages have status regions of their own
    expect(page).to_have_url(re.compile(rf"^{re.escape(stack.demo_rp_url)}/\?state="))
    expect(page.get_by_role("status")).to_have_text("You are signed out of Tessera and of this app.")
    expect(page.get_by_role("button", name="Sign in with Tessera")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)
    assert tessera_session(page, stack)["logged_in"] is False


def test_a_newcomer_signs_up_then_signs_in_to_the_demo_and_out_again(stack: Stack, new_page, outbox) -> None:
    email = unique_email("grace")
    sign_up(new_page(), outbox, email)  # in a browser of its own: the demo's starts logged out

    page = new_page()
    page.goto(stack.demo_rp_url)
    page.get_by_role("button", name="Sign in with Tessera").click()
    password_at_tessera(page, stack, email, PASSWORD)
    # first party: no consent page
    claims = signed_in_at_the_demo(page, stack, "demo-rp", email, "Grace Hopper")
    assert claims["email_verified"] == "True" and claims["amr"] == "pwd"
    sign_out(page, stack)

    # signed out of Tessera too: signing in again asks for the password again
    page.get_by_role("button", name="Sign in with Tessera").click()
    password_at_tessera(page, stack, email, PASSWORD)
    signed_in_at_the_demo(page, stack, "demo-rp", email, "Grace Hopper")


def test_a_third_party_app_asks_for_consent_once(stack: Stack, page: Page, make_user) -> None:
    user = make_user(email=unique_email())
    page.goto(stack.demo_rp_url)
    page.get_by_role("button", name="Sign in as a third-party app").click()
    password_at_tessera(page, stack, user.email, user.password)
    expect(page).to_have_url(re.compile(rf"^{re.escape(stack.base_url)}/consent\?request="))
    expect(page.get_by_role("heading", name="Allow Demo third party to use your Tessera account?")).to_be_visible()
    page.get_by_role("button", name="Allow", exact=True).click()
    signed_in_at_the_demo(page, stack, "demo-third-party", user.email, "Ada Lovelace")
    sign_out(page, stack)

    # consented already: the next sign-in goes from the password straight back to the demo
    page.get_by_role("button", name="Sign in as a third-party app").click()
    password_at_tessera(page, stack, user.email, user.password)
    signed_in_at_the_demo(page, stack, "demo-third-party", user.email, "Ada Lovelace")


def test_a_denied_consent_leaves_the_demo_signed_out(stack: Stack, page: Page, make_user) -> None:
    user = make_user(email=unique_email())
    page.goto(stack.demo_rp_url)
    page.get_by_role("button", name="Sign in as a third-party app").click()
    password_at_tessera(page, stack, user.email, user.password)
    page.get_by_role("button", name="Deny").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(stack.demo_rp_url)}/callback\?.*\berror=access_denied\b"))
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Tessera did not sign you in: access_denied"))
    expect(page.get_by_role("table")).to_have_count(0)


def test_an_account_with_totp_signs_in_with_its_second_step(stack: Stack, page: Page, make_user) -> None:
    user = make_user(email=unique_email())
    _, secret = add_totp(stack, user.user_id)
    page.goto(stack.demo_rp_url)
    page.get_by_role("button", name="Sign in with Tessera").click()
    password_at_tessera(page, stack, user.email, user.password)
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    away_from_a_step_boundary(margin=8)
    page.get_by_label("Code from your authenticator app").fill(code_at(secret))
    page.get_by_role("button", name="Verify").click()
    claims = signed_in_at_the_demo(page, stack, "demo-rp", user.email, "Ada Lovelace")
    assert {"pwd", "otp", "mfa"} <= set(claims["amr"].split()), claims["amr"]
    sign_out(page, stack)
