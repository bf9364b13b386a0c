"""The account console in Chromium (issue 14): the overview and its security checkup,
where the user is signed in (two and three browser contexts of one account), the activity
timeline with paging, and the data export as a file download."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.steps import age_login, log_in, notice, unique_email
from tests.factors import away_from_a_step_boundary, code_at
from tests.helpers import HttpClient

pytestmark = pytest.mark.e2e

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
#: the timeline's page size (services/security/activity.PAGE_SIZE)
PAGE_SIZE = 20


def sessions_list(page: Page):
    return page.get_by_role("list", name="Where you are signed in")


def api_post(page: Page, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST through the page's own session (its cookies, and its CSRF token from jsconfig),
    as the SPA would; the answer's FSA. Asserts a 200."""
    token = page.request.get("/api/jsconfig/config").json()["payload"]["csrf_token"]
    response = page.request.post(path, data=body or {}, headers={"X-CSRF-Token": token})
    assert response.status == 200, response.text()
    return response.json()


def test_a_session_signed_out_from_another_browser_is_logged_out(new_page, make_user):
    user = make_user(email=unique_email())
    mine, other = new_page(), new_page(user_agent=FIREFOX)
    log_in(mine, user)
    log_in(other, user)

    mine.goto("/dashboard/security")
    rows = sessions_list(mine).get_by_role("listitem")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("This browser")
    firefox = rows.filter(has_text="Firefox on Linux")
    expect(firefox).to_contain_text("127.0.0.1")
    expect(firefox).not_to_contain_text("This browser")

    firefox.get_by_role("button", name="Sign out Firefox on Linux").click()
    expect(firefox).to_contain_text("Sign out Firefox on Linux (127.0.0.1)?")
    firefox.get_by_role("button", name="Yes, sign it out").click()
    notice(mine, "That session has been signed out.")
    expect(rows).to_have_count(1)
    expect(mine.get_by_text("You are not signed in anywhere else.")).to_be_visible()

    # the other browser's next navigation (inside the SPA, no reload) finds no session
    other.get_by_role("link", name="Email addresses").click()
    expect(other.get_by_role("heading", name="Log in")).to_be_visible()
    expect(other).to_have_url(re.compile(r"/login$"))
    # and this one is still signed in
    mine.reload()
    expect(sessions_list(mine).get_by_role("listitem")).to_have_count(1)


def test_sign_out_all_other_sessions(new_page, make_user):
    user = make_user(email=unique_email())
    mine, second, third = new_page(), new_page(user_agent=FIREFOX), new_page()
    for page in (mine, second, third):
        log_in(page, user)
    mine.goto("/dashboard/security")
    expect(sessions_list(mine).get_by_role("listitem")).to_have_count(3)

    mine.get_by_role("button", name="Sign out all other sessions").click()
    mine.get_by_role("button", name="Yes, sign them out").click()
    notice(mine, "All your other sessions have been signed out.")
    expect(sessions_list(mine).get_by_role("listitem")).to_have_count(1)

    second.reload()
    expect(second.get_by_role("heading", name="Log in")).to_be_visible()
    third.get_by_role("link", name="Security").click()
    expect(third.get_by_role("heading", name="Log in")).to_be_visible()
    mine.reload()
    expect(mine.get_by_role("heading", level=1, name="Security")).to_be_visible()


def test_the_timeline_shows_the_login_and_a_change_and_pages_older_events(stack, page: Page, make_user):
    user = make_user(email=unique_email())
    # older events, made through the API: logins from another client, a page and more
    client = HttpClient(stack.base_url)
    client.session.headers["User-Agent"] = FIREFOX
    try:
        for _ in range(PAGE_SIZE + 2):
            assert client.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200
    finally:
        client.close()

    log_in(page, user)
    added = unique_email("grace")
    api_post(page, "/api/emails/new", {"email": added})
    page.goto("/dashboard")
    recent = page.get_by_role("list", name="Recent activity").get_by_role("listitem")
    expect(recent).to_have_count(5)
    expect(recent.first).to_contain_text(f"Email address {added} added")
    page.get_by_role("link", name="See all activity").click()

    expect(page.get_by_role("heading", level=1, name="Account activity")).to_be_visible()
    events = page.get_by_role("list", name=re.compile("newest first")).get_by_role("listitem")
    expect(events).to_have_count(PAGE_SIZE)
    expect(events.nth(0)).to_contain_text(f"Email address {added} added")
    # this browser's login (beside it, the new sign-in alert's event), and the API's
    expect(events.filter(has_text="Signed in with password").filter(has_text="HeadlessChrome on Linux · 127.0.0.1")
           ).to_have_count(1)
    expect(events.filter(has_text="Firefox on Linux · 127.0.0.1").first).to_contain_text("Signed in with password")
    # the time in the browser's locale (en-GB: day before month)
    assert re.search(r"\d{1,2} \w{3} \d{4}", events.nth(0).inner_text()), events.nth(0).inner_text()

    page.get_by_role("button", name="Show older").click()
    expect(events.nth(PAGE_SIZE)).to_be_focused()
    expect(page.get_by_role("button", name="Show older")).to_have_count(0)
    # every login of the account (the API's and this browser's), the address once, the
    # API client's first events last
    expect(events.filter(has_text="Signed in with password")).to_have_count(PAGE_SIZE + 3)
    expect(events.filter(has_text="Email address")).to_have_count(1)
    expect(events.last).to_contain_text("Firefox on Linux · 127.0.0.1")
    expect(page.get_by_text("That is all activity of the last year.")).to_be_visible()


def keys_of(value: Any) -> Iterator[str]:
    """Every key of every object at any depth of a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


def test_download_my_data_after_confirming_the_password(stack, page: Page, make_user):
    user = make_user(email=unique_email())
    log_in(page, user)
    page.goto("/dashboard/security")
    age_login(stack, page, 600)

    page.get_by_role("button", name="Download my data").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Password", exact=True).fill(user.password)
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Continue").click()
    download = info.value
    assert re.fullmatch(r"tessera-export-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    document = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    notice(page, "Your data has been downloaded.")

    assert set(document) >= {"user", "services", "events", "sessions", "consents"}
    assert document["user"]["given_name"] == user.document["given_name"]
    assert user.email in json.dumps(document["user"])
    assert "login" in [event["type"] for event in document["events"]]
    forbidden = [key for key in keys_of(document) if re.search(r"password|hash|secret", key, re.I)]
    assert forbidden == []
    assert user.password not in json.dumps(document)


def test_the_overview_checkup_follows_a_new_second_factor(page: Page, make_user):
    user = make_user(email=unique_email())
    log_in(page, user)
    expect(page.get_by_role("heading", level=1, name="Overview")).to_be_visible()
    details = page.locator("dl.details")
    expect(details).to_contain_text(f"{user.document['given_name']} {user.document['surname']}")
    expect(details).to_contain_text(user.email)
    expect(details).to_contain_text("No phone number yet")
    checkup = page.get_by_role("list", name="Security checkup").get_by_role("listitem")
    expect(checkup).to_have_count(2)
    expect(checkup.nth(0)).to_contain_text("To do: Two-step verification is off.")
    expect(checkup.nth(1)).to_contain_text("To do: You have no verified phone number.")

    # an authenticator app, enrolled through the API in this browser's session
    secret = api_post(page, "/api/security/totp/begin")["payload"]["secret"]
    away_from_a_step_boundary()
    api_post(page, "/api/security/totp/complete", {"code": code_at(secret)})
    page.reload()
    expect(checkup.nth(0)).to_contain_text("Done: Two-step verification is on.")
    expect(checkup.nth(1)).to_contain_text("To do: You have no recovery codes left.")
    expect(checkup.nth(1).get_by_role("link", name="Create new codes")).to_have_attribute("href", "/dashboard/security")
    expect(checkup).to_have_count(3)

    api_post(page, "/api/security/recovery-codes")
    page.reload()
    expect(checkup.nth(1)).to_contain_text("Done: You have 10 recovery codes left.")
    checkup.nth(0).get_by_role("link", name="Manage sign-in methods").click()
    expect(page.get_by_role("heading", level=1, name="Security")).to_be_visible()
