"""The msg worker's fixtures: a publisher like the services', a raw broker channel for
looking into queues, MongoDB, and the ``workers:msg`` program of the test stack."""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator

import pika
import pytest
from pymongo import MongoClient

from common.amqp import AmqpClient, queue_specs
from common.config import etcd_client, read_namespace
from devstack import supervisor
from devstack.topology import Stack
from tests.users import mongo_client

MSG_PROGRAM = "workers:msg"


def amqp_url() -> str:
    """The stack's broker URL, from etcd."""
    return read_namespace(etcd_client(), "common")["amqp_url"]


@pytest.fixture
def publisher(stack: Stack) -> Iterator[AmqpClient]:
    """An ``AmqpClient`` like the services' (``publish(queue, body, message_id=...)``)."""
    client = AmqpClient(amqp_url())
    yield client
    client.close()


@pytest.fixture
def channel(stack: Stack) -> Iterator[Any]:
    """A blocking pika channel on the stack's broker (queues declared like the workers')."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url()))
    ch = connection.channel()
    for queue in ("msg.mail", "msg.sms"):
        for name, arguments in queue_specs(queue):
            ch.queue_declare(name, durable=True, arguments=arguments)
    yield ch
    connection.close()


@pytest.fixture
def mongo(stack: Stack) -> Iterator[MongoClient]:
    """A pymongo client on the stack's MongoDB (tz-aware)."""
    client = mongo_client(stack)
    yield client
    client.close()


def msg_pid(stack: Stack) -> int:
    """The pid of the supervised msg worker (0 when it is not running)."""
    return supervisor.rpc(stack).supervisor.getProcessInfo(MSG_PROGRAM)["pid"]


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; return it. AssertionError on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(interval)


def wait_for_consumer(channel: Any, queue: str, timeout: float = 20.0) -> None:
    """Wait until ``queue`` has a consumer again (a restarted worker is consuming)."""
    def consuming() -> bool:
        return channel.queue_declare(queue, passive=True).method.consumer_count > 0
    wait_until(consuming, timeout, 0.2)
