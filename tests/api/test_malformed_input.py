"""Every malformed input through nginx is a 400 FSA with a stable key — never a 500, never
accepted and then failing later (issue 10). Each test here failed on the code before the fix
(noted per test)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import SERVICES, openapi, post_raw, request_properties
from tests.helpers import HttpClient

NESTED_DEEP = b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
NESTED_OBJECTS = b'{"x": ' + b'{"a": ' * 900 + b"1" + b"}" * 900 + b"}"


def post_operations(http: HttpClient) -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(service, path, document, operation) of every POST route of every service."""
    found = []
    for service in SERVICES:
        document = openapi(http, service)
        for path, operations in document["paths"].items():
            if "post" in operations:
                found.append((service, path, document, operations["post"]))
    assert len(found) >= 20
    return found


def assert_fail(r, status: int, message: str) -> None:
    assert r.status == status, r
    assert r.body["error"] is True and r.body["type"].endswith("_FAIL"), r
    assert r.message == message, r


def test_deep_nesting_is_400_on_every_post_route(user_http):
    # before: RecursionError escaped request.get_json(silent=True) → 500 on every JSON route
    for _, path, _, _ in post_operations(user_http):
        for body in (NESTED_DEEP, NESTED_OBJECTS):
            assert_fail(post_raw(user_http, path, body), 400, "request.invalid")


@pytest.mark.parametrize("data, message", [
    (b'{"email": "\xff"}', "request.not_json"),                     # invalid UTF-8
    (b'{"email": "a@b.se", "given_name": "A\\ud800"}', "request.invalid"),  # lone surrogate
    (b'{"\\udc00": 1}', "request.invalid"),                          # ... in a key
    (b"[]", "request.not_json"),
    (b'{"a": NaN}', "request.not_json"),
    (b"{", "request.not_json"),
])
def test_malformed_bodies_are_400(http, data, message):
    assert_fail(post_raw(http, "/api/signup/register", data), 400, message)


def test_wrong_json_types_in_every_field_are_field_errors(user_http):
    # before: {"default_region": {}} (or []) with a number → TypeError, 500 (phones/schemas.py)
    checked = 0
    for _, path, document, operation in post_operations(user_http):
        for name in [*request_properties(document, operation), "not_a_field"]:
            for value in ({}, [], [{}], 1.5):
                r = user_http.post(path, {name: value})
                assert r.status == 400 and r.message == "request.invalid", (path, name, value, r)
                assert name in r.errors, (path, name, value, r)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("path", ["/api/phones/new", "/api/phones/verify", "/api/phones/primary",
                                  "/api/phones/remove", "/api/phones/resend-code"])
@pytest.mark.parametrize("region", [{}, [], 46])
def test_a_default_region_of_another_type_is_a_field_error(user_http, path, region):
    # before: 500 (unhashable type: 'dict') on all five routes
    body = {"number": "070-123 45 67", "default_region": region}
    if path == "/api/phones/verify":
        body["code"] = "123456"
    r = user_http.post(path, body)
    assert r.status == 400 and r.message == "request.invalid", r
    assert "default_region" in r.errors


@pytest.mark.parametrize("path, body", [
    ("/api/emails/new", {"email": "bad"}),
    ("/api/emails/verify", {"email": "bad", "code": "x"}),
    ("/api/phones/new", {"number": {}, "default_region": []}),
    ("/api/personal-data/user", {"given_name": "\n"}),
    ("/api/security/change-password", {"new_password": 1}),
    ("/api/security/terminate", {"unexpected": True}),
    ("/api/authn/reauthenticate", {}),
])
def test_login_is_checked_before_the_body(http, path, body):
    # before: an anonymous /emails/new {"email": "bad"} got 400 field errors, not 401
    assert_fail(http.post(path, body), 401, "authn.required")
    assert_fail(post_raw(http, path, NESTED_DEEP), 401, "authn.required")


def test_the_csrf_check_comes_first(http):
    r = http.post("/api/emails/new", {"email": "bad"}, csrf=False)
    assert_fail(r, 403, "csrf.invalid")


@pytest.mark.parametrize("body", [{"new_password": 1}, {"unexpected": []}])
def test_a_stale_login_is_asked_to_reauthenticate_before_the_body(api, make_user, body):
    client = api("security")
    client.login_as(make_user().user_id, auth_age=3600)
    r = client.post("/api/security/change-password", body)
    assert (r.status, r.message, r.body.get("meta")) == (403, "authn.reauthn_required", {"reauthn_required": True}), r
