"""The test stack's RabbitMQ as the tests see it: its URL, a publisher like the
services' (logged in as the local administrator, declaring the queues it uses), a raw
channel for looking into queues, and polling helpers.

Use the fixtures from a test module or a package's ``conftest.py``::

    from tests.broker import broker_channel, publisher  # noqa: F401  (re-exported fixtures)
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator

import pika
import pytest

from common.amqp import AmqpClient
from common.config import etcd_client, read_namespace
from devstack.topology import Stack


def amqp_url() -> str:
    """The stack's broker URL, from etcd (no user: the local administrator, ``guest``)."""
    return read_namespace(etcd_client(), "common")["amqp_url"]


@pytest.fixture
def publisher(stack: Stack) -> Iterator[AmqpClient]:
    """An ``AmqpClient`` like the services' (``publish(queue, body, message_id=...)``,
    ``call``), declaring each queue it publishes to, as a test queue needs."""
    client = AmqpClient(amqp_url())
    yield client
    client.close()


@pytest.fixture
def broker_channel(stack: Stack) -> Iterator[Any]:
    """A blocking pika channel on the stack's broker."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url()))
    yield connection.channel()
    connection.close()


def message_count(channel: Any, queue: str) -> int:
    """How many messages ``queue`` holds that no consumer has taken."""
    return channel.queue_declare(queue, passive=True).method.message_count


def consumer_count(channel: Any, queue: str) -> int:
    """How many consumers ``queue`` has."""
    return channel.queue_declare(queue, passive=True).method.consumer_count


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; return it. AssertionError on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(interval)
