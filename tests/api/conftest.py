"""Fixtures of the API-wide tests: clients on the stack's nginx, anonymous and logged in."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import requests

from common.catalog import SERVICES as SERVICE_PACKAGES
from devstack.topology import Stack
from tests.helpers import HttpClient, Response
from tests.users import TestUser

#: every HTTP service, as nginx routes it (``/api/<name>/``); each serves its OpenAPI document
SERVICES = tuple(name.replace("_", "-") for name in SERVICE_PACKAGES)


@pytest.fixture
def user_http(stack: Stack, new_user: Callable[..., TestUser]) -> Iterator[HttpClient]:
    """A browser-like client on nginx, logged in through the real API (``POST
    /api/authn/login``) as a new user; its CSRF token is the one login answered with."""
    user = new_user()
    client = HttpClient(stack.base_url)
    r = client.post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200 and r.payload.get("logged_in", True), r
    yield client
    client.close()


def post_raw(client: HttpClient, path: str, data: bytes, content_type: str = "application/json",
             **headers: str) -> Response:
    """POST ``data`` as it is (not JSON-encoded by requests) with the client's CSRF token."""
    if client.token is None:
        client.get("/api/jsconfig/config")
    r = client.session.post(client.base_url + path, data=data, timeout=30,
                            headers={"Content-Type": content_type, "X-CSRF-Token": client.token or "", **headers})
    try:
        body = r.json()
    except ValueError:
        body = None
    return Response(r.status_code, body, r.headers)


def openapi(client: HttpClient, service: str) -> dict[str, Any]:
    """The service's OpenAPI document as nginx serves it."""
    r = requests.get(f"{client.base_url}/api/{service}/openapi.json", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def request_properties(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The properties of an operation's JSON request body schema (``{}`` when none)."""
    body = operation.get("requestBody")
    if body is None:
        return {}
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("properties", {})
