"""The SPA as a whole: deep links, the language switch, accessibility (axe-core) and a
phone-sized screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import horizontal_overflow, log_in, unique_email
from tests.journey.test_journey import wait_until
from tests.users import central_user

pytestmark = pytest.mark.e2e

#: the screens of a logged-out visitor and of a user: path → its heading
PUBLIC = {"/login": "Log in", "/signup": "Create an account", "/reset-password": "Reset your password"}
DASHBOARD = {"/dashboard": "Overview", "/dashboard/personal-data": "Personal data",
             "/dashboard/security/activity": "Account activity", "/dashboard/emails": "Email addresses",
             "/dashboard/phones": "Phone numbers", "/dashboard/security": "Security"}


def test_deep_links_survive_a_reload(page: Page, make_user):
    user = make_user(email=unique_email())
    # logged out, a deep link goes to login and comes back after it
    page.goto("/dashboard/phones")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard/phones$"))

    for path, heading in {**DASHBOARD, **PUBLIC}.items():
        page.goto(path)
        page.reload()
        if path in PUBLIC and path != "/reset-password":
            # logged in, login and signup lead to the dashboard
            expect(page).to_have_url(re.compile(r"/dashboard$"))
            continue
        expect(page).to_have_url(re.compile(re.escape(path) + "$"))
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert page.title() == f"{heading} – Tessera"

    page.goto("/no/such/page")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_language_switch_to_swedish(stack, page: Page, make_user):
    page.goto("/login")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_label("E-postadress")).to_be_visible()
    # the choice outlives a reload, and the switch offers English back
    page.reload()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()

    # logged in, the account's language wins; a switch is saved on the account
    user = make_user(email=unique_email(), language="en")
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord", exact=True).fill(user.password)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    page.get_by_role("button", name="Svenska").click()
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Telefonnummer", exact=True)).to_be_visible()
    assert wait_until(lambda: central_user(stack, user.user_id)["language"] == "sv")
    page.reload()
    expect(page.get_by_role("heading", name="Översikt", level=1)).to_be_visible()


def test_nothing_overflows_a_phone_screen(new_page, make_user):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    found = {}
    for path in PUBLIC:
        page.goto(path)
        page.locator("main h1").wait_for()
        found[path] = horizontal_overflow(page)
    user = make_user(email=unique_email(), given_name="Maximiliana", surname="Vandersteenhoven-Lindqvist")
    log_in(page, user)
    for path in DASHBOARD:
        page.goto(path)
        page.locator("main h1").wait_for()
        # every spinner gone (the security page shows one per part; a strict locator for
        # one failed whenever two were still up)
        expect(page.locator("main .loading")).to_have_count(0)
        found[path] = horizontal_overflow(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert {path: v for path, v in found.items() if v} == {}
