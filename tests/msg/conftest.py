"""The msg worker's fixtures: the broker's (``tests.broker``: a publisher like the
services', a raw channel), MongoDB, the ``workers:msg`` program of the test stack, and
the SMTP sink's record of the duplicates it kept out of the inbox."""
from __future__ import annotations

import email.parser
import email.policy
from pathlib import Path
from typing import Iterator

import pytest
from pymongo import MongoClient

from devstack import supervisor
from devstack.smtp_sink import DUPLICATE_HEADER, DUPLICATES
from devstack.topology import Stack
from tests.broker import broker_channel, consumer_count, publisher, wait_until  # noqa: F401  (fixtures)
from tests.users import mongo_client

MSG_PROGRAM = "workers:msg"


@pytest.fixture
def mongo(stack: Stack) -> Iterator[MongoClient]:
    """A pymongo client on the stack's MongoDB (tz-aware)."""
    client = mongo_client(stack)
    yield client
    client.close()


def msg_pid(stack: Stack) -> int:
    """The pid of the supervised msg worker (0 when it is not running)."""
    return supervisor.rpc(stack).supervisor.getProcessInfo(MSG_PROGRAM)["pid"]


def wait_for_consumer(channel, queue: str, timeout: float = 30.0) -> None:
    """Wait until ``queue`` has a consumer again (a restarted worker is consuming)."""
    wait_until(lambda: consumer_count(channel, queue) > 0, timeout, 0.2)


def sink_duplicates(stack: Stack) -> dict[str, int]:
    """Message-ID → how many copies of it the SMTP sink kept out of the inbox
    (its ``duplicates`` Maildir folder, ``devstack.smtp_sink``)."""
    folder = Path(stack.mail_dir) / f".{DUPLICATES}" / "new"
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    counts: dict[str, int] = {}
    for path in folder.iterdir() if folder.is_dir() else ():
        with path.open("rb") as f:
            headers = parser.parse(f)
        assert headers[DUPLICATE_HEADER], f"{path} is not stamped as a duplicate"
        message_id = str(headers["Message-ID"]).strip()
        counts[message_id] = counts.get(message_id, 0) + 1
    return counts
