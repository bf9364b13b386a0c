"""Browser tests: the SPA in Debian's Chromium, driven by Playwright's sync API, through
the test stack's nginx (``stack.base_url``), as a user would use it.

One browser per session, a fresh context (cookies, storage) per test. Every failed
test leaves ``test-results/e2e/<test name>.png`` (full page) and ``<test name>.log``
(the page's console and page errors) behind.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` (Debian's package).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from devstack.topology import Stack

CHROMIUM = os.environ.get("TESSERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"
#: a loaded machine (2 cores, the whole stack, argon2id) answers slowly
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session", autouse=True)
def _patient_expect() -> Iterator[None]:
    """``expect`` waits as long as the actions do (``TIMEOUT_MS``): on a busy machine a
    login (argon2id), a lazy chunk or a page load between Tessera and a relying party
    outlasts Playwright's 5 s default. Waiting longer for a condition never makes a test
    pass that should fail; it only stops a slow machine failing one that should pass."""
    expect.set_options(timeout=TIMEOUT_MS)
    yield


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Chromium, headless, for the whole session."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(request: pytest.FixtureRequest, stack: Stack, browser: Browser) -> Iterator[Callable[..., Page]]:
    """``new_page(viewport=..., locale=...)`` → a page in a fresh context on the stack's nginx.
    Its console is recorded for the failure report."""
    contexts: list[BrowserContext] = []
    pages: list[tuple[Page, list[str]]] = []
    request.node.e2e_pages = pages

    def factory(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-GB")
        context = browser.new_context(base_url=stack.base_url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        log: list[str] = []
        page.on("console", lambda message: log.append(f"[{message.type}] {message.text}"))
        page.on("pageerror", lambda error: log.append(f"[pageerror] {error}"))
        page.on("requestfailed", lambda req: log.append(f"[requestfailed] {req.method} {req.url} {req.failure}"))
        pages.append((page, log))
        return page

    yield factory
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page in a fresh context."""
    return new_page()


def _safe_name(nodeid_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid_name)[:150]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """After a failed test (or fixture), keep a full-page screenshot and the console log of
    each of its pages: ``test-results/e2e/<test name>[-<n>].png`` and ``.log``."""
    outcome = yield
    report = outcome.get_result()
    pages = getattr(item, "e2e_pages", None)
    if not report.failed or not pages or report.when == "teardown":
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    for index, (page, log) in enumerate(pages):
        name = _safe_name(item.name) + (f"-{index + 1}" if len(pages) > 1 else "")
        lines = [f"url: {page.url if not page.is_closed() else '(closed)'}", *log]
        (RESULTS / f"{name}.log").write_text("\n".join(lines) + "\n")
        if not page.is_closed():
            try:
                page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True, timeout=15_000)
            except Exception as exc:  # the report must not hide the test's own failure
                (RESULTS / f"{name}.log").open("a").write(f"screenshot failed: {exc}\n")
