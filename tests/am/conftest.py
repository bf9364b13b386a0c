"""The attribute manager's fixtures: an RPC client on ``am.sync``, a way to write a
service's private copy; ``make_user`` comes from tests/users.py."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from pymongo import MongoClient

from common.amqp import AmqpClient
from devstack import rabbitmq_access
from devstack.topology import Stack
from tests.helpers import service_amqp
from tests.users import mongo_client


@pytest.fixture
def mongo(stack: Stack) -> Iterator[MongoClient]:
    """A pymongo client on the stack's MongoDB (tz-aware)."""
    client = mongo_client(stack)
    yield client
    client.close()


@pytest.fixture
def am_call(stack: Stack) -> Iterator[Callable[..., dict[str, Any] | None]]:
    """``am_call({"op": "sync", "service": "personal_data", ...})`` → the AM's reply (None
    after ``timeout`` s), sent the way ``common.users`` sends it: an RPC on ``am.sync``,
    by the service the message names (``as_service=`` sends it as another one)."""
    clients: dict[str, AmqpClient] = {}

    def call(body: dict[str, Any], timeout: float = 10.0, as_service: str | None = None) -> dict[str, Any] | None:
        sender = as_service or body.get("service")
        if not isinstance(sender, str) or sender not in rabbitmq_access.principals():
            sender = "personal_data"  # a malformed message still needs a sender
        client = clients.get(sender) or clients.setdefault(sender, service_amqp(stack, sender))
        return client.call("am.sync", body, timeout=timeout)

    yield call
    for client in clients.values():
        client.close()


@pytest.fixture
def write_private(mongo: MongoClient) -> Callable[..., int]:
    """``write_private("personal_data", user_id, given_name="Ada")`` → the new version of
    that service's private copy (``tessera_<service>.users``), as ``common.users.save_private``
    would leave it. ``version=`` sets the version outright."""
    def write(service: str, user_id: str, *, version: int | None = None, **attributes: Any) -> int:
        users = mongo[f"tessera_{service}"].users
        current = users.find_one({"_id": user_id}) or {"_id": user_id, "version": 0}
        new_version = version if version is not None else current["version"] + 1
        users.replace_one({"_id": user_id}, {**current, **attributes, "version": new_version}, upsert=True)
        return new_version
    return write
