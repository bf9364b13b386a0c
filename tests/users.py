"""Test users, written the way the attribute manager would write them.

``make_user`` inserts a complete user straight into ``tessera_central.users`` with
pymongo. Only the AM writes the central database in the running platform; a test may
stand in for it here because what is under test is the service that *reads* the user
(authn, personal_data, …), not how the account came to be (that is signup's tests).
The document has the central shape of ``common.users``: a verified primary address,
``verified_emails`` as the AM derives it, and a real argon2id password hash made with
the stack's configured cost.

Use it from a test package's ``conftest.py``::

    from tests.users import make_user  # noqa: F401  (re-exported fixture)
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import pytest
from pymongo import MongoClient

from common.config import etcd_client, read_namespace
from common.passwords import hash_password
from devstack.mongo_access import admin_client
from devstack.topology import Stack

DEFAULT_PASSWORD = "correct horse battery staple 42"


@dataclass
class TestUser:
    """What a test needs to know about a user it made: ``user_id``, ``email``, ``password``."""

    __test__ = False  # not a test class, whatever its name

    user_id: str
    email: str
    password: str
    document: dict[str, Any]


def mongo_client(stack: Stack) -> MongoClient:
    """A pymongo client on the stack's MongoDB as its admin (tz-aware, like the services')."""
    return admin_client(stack, tz_aware=True)


def central_user(stack: Stack, user_id: str) -> dict[str, Any] | None:
    """The user's document in ``tessera_central.users`` as it is now."""
    client = mongo_client(stack)
    try:
        return client.tessera_central.users.find_one({"_id": user_id})
    finally:
        client.close()


def _utc_now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@pytest.fixture
def make_user(stack: Stack) -> Iterator[Callable[..., TestUser]]:
    """``make_user(email="ada@example.org", password=..., given_name=..., surname=...,
    language="en", argon2=None, email_verified=True, phones=())`` → TestUser.

    The password is hashed with argon2id at the stack's configured cost (``argon2`` in
    etcd's common namespace) unless ``argon2`` (a dict like that config key) is given.
    """
    argon2_config = read_namespace(etcd_client(), "common")["argon2"]
    client = mongo_client(stack)
    counter = iter(range(1, 1_000_000))

    def factory(email: str | None = None, password: str = DEFAULT_PASSWORD, *, given_name: str = "Ada",
                surname: str = "Lovelace", language: str = "en", argon2: dict[str, int] | None = None,
                email_verified: bool = True, phones: tuple[dict[str, Any], ...] = ()) -> TestUser:
        n = next(counter)
        user_id = uuid.uuid4().hex
        address = email or f"user{n}@example.org"
        now = _utc_now()
        document = {
            "_id": user_id, "given_name": given_name, "surname": surname,
            "display_name": f"{given_name} {surname}", "language": language,
            "emails": [{"email": address.lower(), "verified": email_verified, "primary": True,
                        "created": now, **({"verified_at": now} if email_verified else {})}],
            "phones": [dict(p) for p in phones],
            "credentials": [{"credential_id": f"cred{n:04d}", "type": "password",
                             "hash": hash_password(password, argon2 or argon2_config),
                             "created": now, "last_used": None}],
            "tou": {"version": "2024-01", "accepted_at": now},
            "created": now, "modified": now,
            "verified_emails": [address.lower()] if email_verified else [],
            "verified_phones": [p["number"] for p in phones if p.get("verified")],
        }
        client.tessera_central.users.insert_one(document)
        return TestUser(user_id=user_id, email=address, password=password, document=document)

    yield factory
    client.close()


@pytest.fixture
def new_user(make_user: Callable[..., TestUser]) -> Callable[..., TestUser]:
    """``new_user(**make_user_options)`` → a TestUser with an address no earlier test
    used (the outbox, a Maildir, is not wiped between tests)."""
    def factory(**options: Any) -> TestUser:
        options.setdefault("email", f"u{uuid.uuid4().hex[:16]}@example.org")
        return make_user(**options)
    return factory
