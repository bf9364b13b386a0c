"""The attribute manager's fixtures: an RPC client on ``am.sync``, a way to write a
service's private copy; ``make_user`` comes from tests/users.py."""
from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from pymongo import MongoClient

from common.amqp import AmqpClient
from common.config import etcd_client, read_namespace
from common.stack.topology import Stack
from tests.users import mongo_client


@pytest.fixture
def mongo(stack: Stack) -> Iterator[MongoClient]:
    """A pymongo client on the stack's MongoDB (tz-aware)."""
    client = mongo_client(stack)
    yield client
    client.close()


@pytest.fixture
def am_call(stack: Stack) -> Iterator[Callable[..., dict[str, Any] | None]]:
    """``am_call({"op": "sync", ...})`` → the AM's reply (None after ``timeout`` s), sent
    the way ``common.users`` sends it: an RPC on ``am.sync``."""
    client = AmqpClient(read_namespace(etcd_client(), "common")["amqp_url"])

    def call(body: dict[str, Any], timeout: float = 10.0) -> dict[str, Any] | None:
        return client.call("am.sync", body, timeout=timeout)

    yield call
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
