"""schemathesis against every service's OpenAPI document, through nginx, anonymous and
logged in (a user created through the real API, with the session's CSRF token).

Bounded and reproducible: ``EXAMPLES`` generated requests per operation, session and
generation mode (positive: bodies the document allows; negative: bodies it forbids —
wrong types, missing or unknown fields), derandomized (the same examples on every run),
no shrinking, no example database. Each
response is checked by schemathesis — no server error, status code, content type, headers
and body conform to the document — and here: the body is an FSA (``type``; on failure
``error: true`` and ``payload.message``) and ``Cache-Control: no-store`` is set.

The figures (operations, examples, checks) are printed at the end (``-s`` shows them) and
written to ``.run/<stack>/schemathesis.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from devstack.topology import Stack
from tests.api.conftest import SERVICES
from tests.helpers import HttpClient

#: generated requests per operation and session: small, so both runs stay within a few
#: minutes on two busy cores, yet every field of every body is varied
EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
#: operations that end or change the session (or the account): run last, in this order
SESSION_ENDING = ("POST /api/security/change-password", "POST /api/security/terminate", "POST /api/authn/logout")


@dataclass
class Figures:
    operations: set[str] = field(default_factory=set)
    examples: int = 0
    checks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def assert_fsa_and_no_store(label: str, response: Any) -> None:
    """The two rules of API.md v2 that the documents cannot express (schemathesis keeps
    headers as lower-case name → list of values)."""
    assert response.headers.get("cache-control") == ["no-store"], (label, response.status_code, response.headers)
    body = json.loads(response.content)
    assert isinstance(body, dict) and isinstance(body.get("type"), str), body
    assert isinstance(body.get("payload"), dict), body
    if response.status_code >= 400:
        assert body.get("error") is True and body["type"].endswith("_FAIL"), body
        assert isinstance(body["payload"].get("message"), str) and body["payload"]["message"], body
    else:
        assert "error" not in body and body["type"].endswith("_SUCCESS"), body


def operations(base_url: str) -> list[Any]:
    """Every operation of every service's document, session-ending ones last."""
    found = []
    for service in SERVICES:
        schema = schemathesis.openapi.from_url(f"{base_url}/api/{service}/openapi.json", timeout=30)
        for result in schema.get_all_operations():
            found.append(result.ok())
    order = {label: i for i, label in enumerate(SESSION_ENDING, start=1)}
    return sorted(found, key=lambda op: order.get(f"{op.method.upper()} {op.path}", 0))


@dataclass
class Browser:
    """A session as the SPA keeps it: the cookie jar and the latest CSRF token."""

    session: requests.Session
    csrf_token: str


def run(operation: Any, base_url: str, browser: Browser, figures: Figures) -> None:
    """``EXAMPLES`` generated requests per mode to ``operation`` in ``browser``'s session,
    with its CSRF token (as the SPA, taking a new one from any answer that carries it);
    every response checked."""
    label = f"{operation.method.upper()} {operation.path}"
    # a GET route takes no body and no parameters: there is no input to get wrong
    modes = MODES if operation.method.upper() != "GET" else MODES[:1]
    for mode in modes:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            if operation.method.upper() != "GET":
                case.headers = {**(case.headers or {}), "X-CSRF-Token": browser.csrf_token}
            response = case.call_and_validate(base_url=base_url, session=browser.session, checks=CHECKS)
            assert_fsa_and_no_store(label, response)
            figures.examples += 1
            figures.checks += len(CHECKS) + 2
            status = str(response.status_code)
            figures.statuses[status] = figures.statuses.get(status, 0) + 1
            payload = json.loads(response.content)["payload"]
            if isinstance(payload.get("csrf_token"), str):
                browser.csrf_token = payload["csrf_token"]

        check()
    figures.operations.add(label)


def anonymous_browser(stack: Stack) -> Browser:
    session = requests.Session()
    r = session.get(f"{stack.base_url}/api/jsconfig/config", timeout=30)
    return Browser(session, r.json()["payload"]["csrf_token"])


def report(stack: Stack, name: str, figures: Figures) -> None:
    summary = {"session": name, "operations": len(figures.operations), "examples": figures.examples,
               "checks": figures.checks, "statuses": dict(sorted(figures.statuses.items()))}
    print(f"\nschemathesis {name}: {json.dumps(summary)}")
    path = stack.run_dir / "schemathesis.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps({**existing, name: summary}, indent=2))


def test_every_operation_anonymously(stack: Stack) -> None:
    browser, figures = anonymous_browser(stack), Figures()
    for operation in operations(stack.base_url):
        run(operation, stack.base_url, browser, figures)
    report(stack, "anonymous", figures)
    assert len(figures.operations) >= 35 and figures.examples >= 100


def test_every_operation_logged_in(stack: Stack, user_http: HttpClient) -> None:
    browser, figures = Browser(user_http.session, user_http.token or ""), Figures()
    for operation in operations(stack.base_url):
        run(operation, stack.base_url, browser, figures)
    report(stack, "logged_in", figures)
    assert len(figures.operations) >= 35 and figures.examples >= 100
    # logged in, the document's bodies reach the views: not everything is refused
    assert figures.statuses.get("200", 0) > 0
