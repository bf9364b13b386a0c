"""signup test helpers: a known code for in-process tests, a ready-made account."""
from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from common import codes
from devstack.mongo_access import admin_client
from devstack.topology import Stack

CODE = "424242"
PASSWORD = "correct horse battery staple 7"


def unique_address(name: str) -> str:
    """An address no earlier run has mailed (the outbox outlives the data wipes)."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.org"


def person(email: str, **changes: Any) -> dict[str, Any]:
    """A valid ``/register`` body for ``email``."""
    return {"email": email, "given_name": "Ada", "surname": "Lovelace", "tou_accepted": True, **changes}


@pytest.fixture
def fixed_code(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every code issued in-process is ``CODE`` (the real ones are only ever mailed)."""
    monkeypatch.setattr(codes, "new_code", lambda length: CODE)
    return CODE


@pytest.fixture
def mongo(stack: Stack):
    """A MongoClient on the test stack (to inspect or age records)."""
    client = admin_client(stack, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def signed_up(api: Callable, fixed_code: str) -> Callable[..., str]:
    """``signed_up("ada@example.org")`` → the user id of a new account made through signup."""
    def make(email: str, **changes: Any) -> str:
        client = api("signup")
        assert client.post("/api/signup/register", person(email, **changes)).status == 200
        assert client.post("/api/signup/verify", {"email": email, "code": fixed_code}).status == 200
        r = client.post("/api/signup/password", {"password": PASSWORD})
        assert r.status == 200, r
        return r.payload["user_id"]
    return make
