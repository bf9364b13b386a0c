"""New sign-in alerts in Chromium (issue 14): a login from a second browser (a fresh
context: no device cookie) mails the user, the browser is listed under Known devices on
the security page, and once forgotten its next login is mailed again."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import log_in, unique_email
from tests.helpers import text_of

pytestmark = pytest.mark.e2e

SUBJECT = "New sign-in to your Tessera account"


def alerts(outbox, user, count: int) -> list:
    """Wait for ``count`` new sign-in alerts to ``user``; return them, oldest first."""
    mails = outbox.wait_for_mail(user.email, count)
    return [m for m in mails if m["Subject"] == SUBJECT]


def test_a_second_browser_is_mailed_listed_and_forgotten(page: Page, new_page, make_user, outbox, stack):
    user = make_user(email=unique_email())
    log_in(page, user)  # this account never logged in: a first browser is new too
    assert len(alerts(outbox, user, 1)) == 1

    other = new_page()
    log_in(other, user)
    [_, mail] = alerts(outbox, user, 2)
    text = text_of(mail)
    assert "on Linux" in text and "127.0.0.1" in text and f"{stack.base_url}/reset-password" in text

    page.goto("/dashboard/security")
    devices = page.get_by_role("list", name="Known devices").get_by_role("listitem")
    expect(devices).to_have_count(2)
    expect(devices.filter(has_text="This browser")).to_have_count(1)
    second = devices.filter(has_not_text="This browser")
    second.get_by_role("button", name="Forget").click()
    second.get_by_role("button", name="Yes, forget it").click()
    expect(devices).to_have_count(1)
    expect(devices.first).to_contain_text("This browser")
    expect(page.get_by_text("The browser was forgotten.")).to_be_visible()

    # the forgotten browser is new again at its next login
    other.get_by_role("button", name="Log out").click()
    expect(other.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(other, user)
    assert len(alerts(outbox, user, 3)) == 3
