"""Second factors and passkeys in Chromium (issue 12): the SPA's WebAuthn against the
browser's own implementation, with Chrome's virtual authenticator (DevTools protocol,
``WebAuthn.addVirtualAuthenticator``) standing in for a platform authenticator; TOTP
codes from the secret the page shows (pyotp); a recovery code.

WebAuthn needs the page at ``http://localhost:<port>`` (``stack.base_url``): browsers
refuse an IP address as a relying-party id."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import CDPSession, Page, expect

from tests.e2e.steps import age_login, log_in, unique_email
from tests.factors import add_recovery_codes, add_totp, away_from_a_step_boundary, code_at
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e


def virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A CTAP2 platform authenticator with resident keys and user verification that
    always verifies the user (no prompt), for this page."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    answer = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})
    return cdp, answer["authenticatorId"]


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def password_step(page: Page, user) -> None:
    """Email and password on the login page, up to the second step."""
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()


def test_enrol_a_passkey_then_log_in_with_it_alone(page: Page, new_page, make_user):
    user = make_user(email=unique_email())
    hello = f"Hello, {user.document['display_name']}"
    cdp, authenticator = virtual_authenticator(page)
    log_in(page, user)
    page.goto("/dashboard/security")
    page.get_by_label("Name").fill("This laptop")
    expect(page.get_by_label("Use it as a passkey (sign in without a password)")).to_be_checked()
    page.get_by_role("button", name="Add a security key or passkey").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="This laptop"))
    expect(row.get_by_role("cell", name="Passkey", exact=True)).to_be_visible()
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert credential["isResidentCredential"] is True and credential["rpId"] == "localhost"

    # Conditional UI: on the login page the browser offers the passkey in the email
    # field's autofill; the virtual authenticator picks it as a user would, and the
    # user is logged in without typing anything.
    # The login page may be gone at once (its field is checked in the second browser
    # below); the passkey's sign count going up is what shows it was used.
    page.get_by_role("button", name="Log out").click()

    def used_credential():
        [current] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
        return current if current["signCount"] > credential["signCount"] else None

    used = wait_for(used_credential, timeout=30)
    assert used, "the passkey was not used to log in again"
    expect(page.get_by_text(hello)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # "Sign in with a passkey", in a browser without conditional mediation, holding the
    # same passkey (its sign count too, which the service checks goes up)
    other = new_page()
    other.add_init_script("PublicKeyCredential.isConditionalMediationAvailable = async () => false;")
    other_cdp, other_authenticator = virtual_authenticator(other)
    other_cdp.send("WebAuthn.addCredential", {"authenticatorId": other_authenticator, "credential": used})
    other.goto("/login")
    expect(other.get_by_label("Email address")).to_have_attribute("autocomplete", "username webauthn")
    other.get_by_role("button", name="Sign in with a passkey").click()
    expect(other.get_by_text(hello)).to_be_visible()
    expect(other).to_have_url(re.compile(r"/dashboard$"))


def test_enrol_totp_from_the_shown_secret_then_log_in_with_it_and_with_a_recovery_code(page: Page, make_user):
    user = make_user(email=unique_email())
    log_in(page, user)
    page.goto("/dashboard/security")
    page.get_by_role("button", name="Add an authenticator app").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    expect(page.locator("img.qr")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    # the QR code is an image that really loads (the CSP allows data: images)
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    away_from_a_step_boundary(margin=8)
    page.get_by_label("Code from the app").fill(code_at(secret))
    page.get_by_role("button", name="Add the app").click()
    expect(page.get_by_role("rowheader", name="Authenticator app")).to_be_visible()

    page.get_by_role("button", name="Make new recovery codes").click()
    codes = page.get_by_role("list", name="recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    recovery = codes.all_inner_texts()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (.txt)").click()
    assert download.value.suggested_filename == "tessera-recovery-codes.txt"
    assert Path(download.value.path()).read_text().split() == recovery

    log_out(page)
    password_step(page, user)
    # the enrolment's code was used up: the next step's code (within ±1 step) logs in
    page.get_by_label("Code from your authenticator app").fill(code_at(secret, 1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(f"Hello, {user.document['display_name']}")).to_be_visible()

    log_out(page)
    password_step(page, user)
    page.get_by_role("radio", name="Recovery code").check()
    page.get_by_role("textbox", name="Recovery code").fill(recovery[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(f"Hello, {user.document['display_name']}")).to_be_visible()

    # a used recovery code does not log in again
    log_out(page)
    password_step(page, user)
    page.get_by_role("radio", name="Recovery code").check()
    page.get_by_role("textbox", name="Recovery code").fill(recovery[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".notice")).to_be_visible()
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()


def test_an_old_login_confirms_with_password_and_totp_before_a_factor_is_removed(page: Page, make_user, stack):
    user = make_user(email=unique_email())
    log_in(page, user)
    page.goto("/dashboard/security")
    page.get_by_role("button", name="Add an authenticator app").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    away_from_a_step_boundary(margin=8)
    page.get_by_label("Code from the app").fill(code_at(secret))
    page.get_by_role("button", name="Add the app").click()
    expect(page.get_by_role("rowheader", name="Authenticator app")).to_be_visible()

    age_login(stack, page, 3600)
    page.get_by_role("button", name="Remove Authenticator app").click()
    page.get_by_role("button", name="Yes, remove it").click()
    dialog = page.get_by_role("dialog", name="Confirm it is you")
    dialog.get_by_label("Password", exact=True).fill(user.password)
    dialog.get_by_role("button", name="Continue").click()
    # the password alone does not re-authenticate an account with a second factor
    expect(dialog.get_by_text("Confirm with your second factor.")).to_be_visible()
    expect(dialog.get_by_text("enter your password again")).to_have_count(0)
    dialog.get_by_label("Code from your authenticator app").fill(code_at(secret, 1))
    dialog.get_by_role("button", name="Verify").click()
    expect(dialog).to_be_hidden()
    # the refused removal was sent again and went through
    expect(page.get_by_role("rowheader", name="Authenticator app")).to_have_count(0)
    expect(page.get_by_role("button", name="Add an authenticator app")).to_be_visible()


def test_an_old_login_confirms_with_a_passkey_before_new_recovery_codes(page: Page, make_user, stack):
    user = make_user(email=unique_email())
    virtual_authenticator(page)
    log_in(page, user)
    page.goto("/dashboard/security")
    page.get_by_label("Name").fill("Phone")
    page.get_by_role("button", name="Add a security key or passkey").click()
    expect(page.get_by_role("rowheader", name="Phone")).to_be_visible()
    expect(page.get_by_text("You have no recovery codes left. Make new ones.")).to_be_visible()

    age_login(stack, page, 3600)
    page.get_by_role("button", name="Make new recovery codes").click()
    dialog = page.get_by_role("dialog", name="Confirm it is you")
    dialog.get_by_role("button", name="Sign in with a passkey").click()
    expect(dialog).to_be_hidden()
    # the refused request was sent again after the passkey re-authenticated
    expect(page.get_by_role("list", name="recovery codes").get_by_role("listitem")).to_have_count(10)


def test_a_reload_in_the_second_step_keeps_it(page: Page, make_user, stack):
    user = make_user(email=unique_email())
    _, secret = add_totp(stack, user.user_id)
    password_step(page, user)
    page.reload()
    # the session names the pending step's methods: the second step, not the password form
    expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    away_from_a_step_boundary(margin=8)
    page.get_by_label("Code from your authenticator app").fill(code_at(secret))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text(f"Hello, {user.document['display_name']}")).to_be_visible()


def test_the_reauthentication_dialog_asks_for_a_password_and_cancel_drops_the_action(page: Page, make_user, stack):
    user = make_user(email=unique_email())
    log_in(page, user)
    page.goto("/dashboard/security")
    new_password = "periwinkle lighthouse acrobat 42"
    page.get_by_label("New password").fill(new_password)
    page.get_by_label("Repeat the password").fill(new_password)
    age_login(stack, page, 3600)
    page.get_by_role("button", name="Change password").click()
    dialog = page.get_by_role("dialog", name="Confirm it is you")
    dialog.get_by_label("Password", exact=True).fill("not the password at all")
    dialog.get_by_role("button", name="Continue").click()
    # it asked for a password only, and says so
    expect(dialog.get_by_role("alert")).to_have_text("Wrong password.")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Cancelled. Nothing was changed.")).to_be_visible()
    expect(page.get_by_label("New password")).to_have_value("")
    expect(page.get_by_label("Repeat the password")).to_have_value("")
    # and nothing was changed: the old password still logs in
    log_out(page)
    log_in(page, user)


def _swedish_page(new_page) -> Page:
    """A page of a Swedish browser (sv-SE) whose user chose Swedish before (as the
    language switch keeps it)."""
    page = new_page(locale="sv-SE")
    page.add_init_script("window.localStorage.setItem('tessera.language', 'sv');")
    return page


def _swedish_password_step(page: Page, user) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    page.get_by_label("E-postadress").fill(user.email)
    page.get_by_label("Lösenord", exact=True).fill(user.password)
    page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.get_by_role("heading", name="Tvåstegsverifiering")).to_be_visible()
    expect(page.get_by_text("Lösenordet stämde. Bekräfta nu att det är du med din andra faktor.")).to_be_visible()


def test_in_swedish_log_in_with_totp_and_with_a_recovery_code(new_page, make_user, stack):
    user = make_user(email=unique_email(), language="sv")
    _, secret = add_totp(stack, user.user_id)
    [recovery] = add_recovery_codes(stack, user.user_id, 1)
    greeting = f"Hej, {user.document['display_name']}"
    page = _swedish_page(new_page)

    _swedish_password_step(page, user)
    expect(page.get_by_role("group", name="Verifiera med")).to_be_visible()
    expect(page.get_by_role("radio", name="Autentiseringsapp")).to_be_checked()
    away_from_a_step_boundary(margin=8)
    page.get_by_label("Kod från din autentiseringsapp").fill(code_at(secret))
    page.get_by_role("button", name="Verifiera", exact=True).click()
    expect(page.get_by_text(greeting)).to_be_visible()

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    _swedish_password_step(page, user)
    page.get_by_role("radio", name="Återställningskod").check()
    page.get_by_role("textbox", name="Återställningskod").fill(recovery)
    page.get_by_role("button", name="Verifiera", exact=True).click()
    expect(page.get_by_text(greeting)).to_be_visible()
