"""Every screen of the SPA through axe-core in Chromium (issue 14, Done when 1 and 2):
in English and Swedish, at 1280 px and 375 px, in the light and the dark theme
(``prefers-color-scheme`` emulated) — no serious or critical violation anywhere.

Each screen is also kept as a full-page screenshot, ``test-results/screens/
<screen>-<lang>-<width>[-dark].png`` (gitignored: a test artifact, not committed).

The screens are one table, ``SCREENS``: a name and a function that brings a page (of a
context in the language of the test, logged in or not as the screen needs) to that
screen and returns once it is ready. A new page gets one line there.
Navigation uses field names and submit buttons, not texts, so it is the same in both
languages.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from playwright.sync_api import Page, expect

from devstack.topology import Stack
from tests.e2e.steps import axe_violations, unique_email
from tests.factors import add_recovery_codes, add_totp
from tests.helpers import code_in, text_of
from tests.users import TestUser

pytestmark = pytest.mark.e2e

SCREENS_DIR = Path(__file__).resolve().parents[2] / "test-results" / "screens"
WIDTHS = (1280, 375)
SCHEMES = ("light", "dark")
NEW_PASSWORD = "a long and unusual passphrase for tessera 9"


@dataclass
class Visit:
    """What a screen's step may need: the page, the stack, the outbox, a user."""
    page: Page
    stack: Stack
    outbox: Any
    user: TestUser | None = None
    email: str = ""


def ready(page: Page) -> None:
    """The page's heading is there, no spinner is left and the web fonts/images settled."""
    page.locator("main h1").first.wait_for()
    # a page's lazy chunk and its reads can take seconds on a loaded machine
    expect(page.locator("main .loading")).to_have_count(0, timeout=30_000)
    page.wait_for_load_state("networkidle")


def goto(path: str) -> Callable[[Visit], None]:
    def step(visit: Visit) -> None:
        visit.page.goto(path)
        ready(visit.page)
    return step


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()


# --- public screens (logged out) ---------------------------------------------------------

def signup_code(visit: Visit) -> None:
    page = visit.page
    visit.email = unique_email("grace")
    page.goto("/signup")
    ready(page)
    page.locator("input[name=given_name]").fill("Grace")
    page.locator("input[name=surname]").fill("Hopper")
    page.locator("input[name=email]").fill(visit.email)
    page.locator("input[name=tou_accepted]").check()
    submit(page)
    page.locator("input[name=code]").wait_for()
    ready(page)


def signup_password(visit: Visit) -> None:
    page = visit.page
    page.locator("input[name=code]").fill(code_in(text_of(visit.outbox.wait_for_mail(visit.email)[-1])))
    submit(page)
    page.locator("input[name=repeat]").wait_for()
    ready(page)


def reset_code(visit: Visit) -> None:
    page = visit.page
    assert visit.user is not None
    page.goto("/reset-password")
    ready(page)
    page.locator("input[name=email]").fill(visit.user.email)
    submit(page)
    page.locator("input[name=code]").wait_for()
    ready(page)


def reset_password(visit: Visit) -> None:
    page = visit.page
    assert visit.user is not None
    page.locator("input[name=code]").fill(code_in(text_of(visit.outbox.wait_for_mail(visit.user.email)[-1])))
    submit(page)
    page.locator("input[name=repeat]").wait_for()
    ready(page)


def login_second_step(visit: Visit) -> None:
    """The password of an account with an authenticator app leads to the second step."""
    page = visit.page
    assert visit.user is not None
    add_totp(visit.stack, visit.user.user_id)
    page.goto("/login")
    ready(page)
    page.locator("input[name=email]").fill(visit.user.email)
    page.locator("input[name=password]").fill(visit.user.password)
    submit(page)
    # the second step's code field (the password form is gone)
    expect(page.locator("input[name=password]")).to_have_count(0)
    page.locator("input[name=code]").wait_for()
    ready(page)


# --- the signed-in screens ------------------------------------------------------------

def log_in(visit: Visit) -> None:
    page = visit.page
    assert visit.user is not None
    page.goto("/login")
    ready(page)
    page.locator("input[name=email]").fill(visit.user.email)
    page.locator("input[name=password]").fill(visit.user.password)
    submit(page)
    page.locator(".greeting").wait_for()
    ready(page)


def security_with_factors(visit: Visit) -> None:
    """The security page of an account with an authenticator app and recovery codes."""
    assert visit.user is not None
    add_totp(visit.stack, visit.user.user_id)
    add_recovery_codes(visit.stack, visit.user.user_id, 2)
    goto("/dashboard/security")(visit)
    visit.page.locator(".credentials").first.wait_for()


def consent(visit: Visit) -> None:
    """A third-party relying party's authorization request: the consent page (issue 13)."""
    metadata = requests.get(f"{visit.stack.base_url}/.well-known/openid-configuration", timeout=30).json()
    session = OAuth2Session("demo-third-party", "demo-third-party-secret", scope="openid email profile",
                            redirect_uri="http://127.0.0.1:8090/callback")
    url, _ = session.create_authorization_url(metadata["authorization_endpoint"], nonce="axe")
    visit.page.goto(url)
    visit.page.wait_for_url("**/consent?request=**")
    ready(visit.page)


def rp_logout(visit: Visit) -> None:
    """The end-session endpoint's "Sign out of Tessera?" page."""
    metadata = requests.get(f"{visit.stack.base_url}/.well-known/openid-configuration", timeout=30).json()
    visit.page.goto(metadata["end_session_endpoint"])
    visit.page.wait_for_url("**/logout**")
    ready(visit.page)


#: (screen name, step, needs a logged-in user). Steps run in this order in one browser
#: context, so a step may continue where the one before it left (signup's steps).
PUBLIC: list[tuple[str, Callable[[Visit], None]]] = [
    ("login", goto("/login")),
    ("signup-1-details", goto("/signup")),
    ("signup-2-code", signup_code),
    ("signup-3-password", signup_password),
    ("reset-1-email", goto("/reset-password")),
    ("reset-2-code", reset_code),
    ("reset-3-password", reset_password),
    ("not-found", goto("/no/such/page")),
    ("login-second-step", login_second_step),
]
SIGNED_IN: list[tuple[str, Callable[[Visit], None]]] = [
    ("overview", log_in),
    ("personal-data", goto("/dashboard/personal-data")),
    ("emails", goto("/dashboard/emails")),
    ("phones", goto("/dashboard/phones")),
    ("security", goto("/dashboard/security")),
    ("activity", goto("/dashboard/security/activity")),
    ("not-found-signed-in", goto("/no/such/page")),
    ("consent", consent),
    ("logout", rp_logout),
    ("security-factors", security_with_factors),
]


def check_every_variant(page: Page, screen: str, language: str) -> dict[str, list[dict[str, Any]]]:
    """axe at each width and theme, with a screenshot of each; violations by variant."""
    SCREENS_DIR.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[dict[str, Any]]] = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800 if width > 600 else 740})
            name = f"{screen}-{language}-{width}{'-dark' if scheme == 'dark' else ''}"
            page.screenshot(path=str(SCREENS_DIR / f"{name}.png"), full_page=True, animations="disabled")
            violations = axe_violations(page)
            if violations:
                found[name] = violations
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})
    return found


def run(new_page, stack: Stack, outbox, language: str, screens, user: TestUser | None) -> None:
    # axe is injected as a script tag: the context ignores the CSP for it
    page = new_page(bypass_csp=True, locale="sv-SE" if language == "sv" else "en-GB")
    page.add_init_script(f"window.localStorage.setItem('tessera.language', '{language}')")
    visit = Visit(page=page, stack=stack, outbox=outbox, user=user)
    found: dict[str, list[dict[str, Any]]] = {}
    for screen, step in screens:
        step(visit)
        assert page.locator("html").get_attribute("lang") == language, screen
        found.update(check_every_variant(page, screen, language))
    assert found == {}


@pytest.mark.parametrize("language", ["en", "sv"])
def test_public_screens_have_no_serious_violations(new_page, stack, outbox, make_user, language):
    run(new_page, stack, outbox, language, PUBLIC, make_user(email=unique_email(), language=language))


@pytest.mark.parametrize("language", ["en", "sv"])
def test_signed_in_screens_have_no_serious_violations(new_page, stack, outbox, make_user, language):
    user = make_user(email=unique_email(), language=language,
                     phones=({"number": "+46701234567", "verified": True, "primary": True},))
    run(new_page, stack, outbox, language, SIGNED_IN, user)
