"""What the browser tests do again and again, as a user would: log in, read a banner;
and the one thing a user cannot do — make the login older (``age_login``)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import msgspec
import redis
from playwright.sync_api import Page, expect

from common.session import KEY_PREFIX
from devstack.topology import Stack
from tests.helpers import code_in, text_of
from tests.users import TestUser

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long and unusual passphrase for tessera 7"


def unique_email(name: str = "ada") -> str:
    """A new address: the outbox outlives the data wipe, so old mails must not match."""
    return f"{name}.{uuid.uuid4().hex[:10]}@example.org"


def log_in(page: Page, user: TestUser, path: str = "/login") -> None:
    """Log ``user`` in through the login page and wait for the dashboard."""
    page.goto(path)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill(user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Hello, {user.document['display_name']}")).to_be_visible()


def sign_up(page: Page, outbox, email: str, given_name: str = "Grace", surname: str = "Hopper") -> None:
    """Create an account through the signup page as a newcomer does (the code from the
    mail in the outbox, then a password: ``PASSWORD``) and wait for the dashboard."""
    page.goto("/signup")
    page.get_by_label("Given name").fill(given_name)
    page.get_by_label("Surname").fill(surname)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("I accept the terms of use").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Step 2 of 3")).to_be_visible()
    page.get_by_label("Code").fill(code_in(text_of(outbox.wait_for_mail(email)[-1])))
    page.get_by_role("button", name="Confirm code").click()
    expect(page.get_by_text("Step 3 of 3")).to_be_visible()
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Hello, {given_name} {surname}")).to_be_visible()


def notice(page: Page, text: str) -> None:
    """Wait for a banner (success status or error alert) with ``text``."""
    expect(page.locator(".notice").filter(has_text=text)).to_be_visible()


def session_id(page: Page) -> str:
    """The server-side id of the page's session: the ``tessera_session`` cookie up to its
    last ``.`` (what follows is the itsdangerous signature)."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "tessera_session")
    return cookie["value"].rsplit(".", 1)[0]


def age_login(stack: Stack, page: Page, seconds: int) -> None:
    """Make the page's login ``seconds`` older, so a *recent* route asks to re-authenticate.

    ``reauthn_max_age`` (300 s) cannot be lowered for the gunicorn services of a running
    stack, and waiting five minutes is too slow; so the session's ``auth_time`` is moved
    back where it lives: the msgpack map in Redis under ``tessera:session:<sid>``
    (Flask-Session with msgspec), keeping the key's TTL.
    """
    client = redis.Redis(port=stack.ports["redis"])
    try:
        key = KEY_PREFIX + session_id(page)
        raw = client.get(key)
        assert raw is not None, f"no session {key} in Redis"
        data: dict[str, Any] = msgspec.msgpack.decode(raw)
        assert data.get("auth_time"), data
        data["auth_time"] = int(time.time()) - seconds
        client.set(key, msgspec.msgpack.encode(data), keepttl=True)
    finally:
        client.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def horizontal_overflow(page: Page) -> dict[str, Any] | None:
    """None when nothing is wider than the viewport; else the width and the widest culprits."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const scroll = document.documentElement.scrollWidth;
        if (scroll <= width) return null;
        const wide = [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
        return {width, scroll, wide};
    }""")
