"""The AMQP publisher and the consumer base against the real RabbitMQ of the test stack:
confirms, RPC with a bounded wait, ack after work, quick in-place retries, retries with
back-off, dead letters, and a consumer that reconnects promptly when the broker is back."""
from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any, Iterator

import pika
import pytest

from common.amqp import AmqpClient, queue_specs
from common.consumer import Consumer, PermanentError
from devstack import manager
from tests.broker import amqp_url as broker_url
from tests.broker import broker_channel, publisher, wait_until  # noqa: F401  (fixtures)


@pytest.fixture
def amqp_url(stack) -> str:
    return broker_url()


@pytest.fixture
def queue(amqp_url: str) -> Iterator[str]:
    name = f"test.{uuid.uuid4().hex[:8]}"
    yield name
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    channel = connection.channel()
    for suffix in ("", ".retry", ".dead"):
        channel.queue_delete(name + suffix)
    connection.close()


class Recorder(Consumer):
    """Fails the first ``failures`` deliveries of each message, then records it.

    ``failing``: only the messages with these ``n`` fail (default: all);
    ``quick_retries`` 0 (the default here) sends every failure through the retry queue;
    ``connection_failures`` counts failed connection attempts."""

    retry_delay = 0.05
    max_attempts = 3

    def __init__(self, url: str, queue: str, failures: int = 0, queue_type: str = "classic", *,
                 quick_retries: int = 0, work: float = 0.0, failing: set[int] | None = None) -> None:
        """``work``: seconds each successful message takes."""
        super().__init__(url, queue_type=queue_type)
        self.queue = queue
        self.failures = failures
        self.quick_retries = quick_retries
        self.work = work
        self.failing = failing
        self.seen: dict[str, int] = {}
        self.done: list[dict[str, Any]] = []
        self.done_at: dict[Any, float] = {}
        self.connection_failures = 0
        self.consuming_since: float | None = None

    def handle(self, body: dict[str, Any], properties) -> dict[str, Any] | None:
        key = properties.message_id
        self.seen[key] = self.seen.get(key, 0) + 1
        if body.get("refuse"):
            raise PermanentError("probe.refused")
        if self.seen[key] <= self.failures and (self.failing is None or body.get("n") in self.failing):
            raise RuntimeError("transient")
        time.sleep(self.work)
        self.done.append(body)
        self.done_at[body.get("n")] = time.monotonic()
        return {"ok": True, "echo": body.get("n")}

    def on_connection_open_error(self, connection, error: Exception) -> None:
        self.connection_failures += 1
        super().on_connection_open_error(connection, error)

    def on_basic_qos_ok(self, frame) -> None:
        super().on_basic_qos_ok(frame)
        self.consuming_since = time.monotonic()


@pytest.fixture
def run_consumer():
    started: list[tuple[Consumer, threading.Thread]] = []

    def start(consumer: Consumer) -> Consumer:
        thread = threading.Thread(target=consumer.run, kwargs={"handle_signals": False}, daemon=True)
        thread.start()
        started.append((consumer, thread))
        return consumer

    yield start
    for consumer, thread in started:
        consumer.stop()
        thread.join(timeout=10)
        assert not thread.is_alive(), "the consumer did not stop"


def _count(amqp_url: str, queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def test_published_message_waits_durably_until_consumed(amqp_url, queue, publisher, run_consumer) -> None:
    key = publisher.publish(queue, {"n": 1})
    assert _count(amqp_url, queue) == 1
    consumer = run_consumer(Recorder(amqp_url, queue))
    wait_until(lambda: consumer.done == [{"n": 1}])
    wait_until(lambda: _count(amqp_url, queue) == 0)
    assert consumer.seen == {key: 1}


def test_transient_failure_is_retried_with_backoff_then_succeeds(amqp_url, queue, publisher, run_consumer) -> None:
    consumer = run_consumer(Recorder(amqp_url, queue, failures=2))
    key = publisher.publish(queue, {"n": 2})
    wait_until(lambda: consumer.done == [{"n": 2}])
    assert consumer.seen[key] == 3
    assert _count(amqp_url, f"{queue}.dead") == 0


def test_message_that_keeps_failing_is_dead_lettered(amqp_url, queue, publisher, run_consumer) -> None:
    consumer = run_consumer(Recorder(amqp_url, queue, failures=99))
    key = publisher.publish(queue, {"n": 3})
    wait_until(lambda: _count(amqp_url, f"{queue}.dead") == 1)
    assert consumer.seen[key] == Recorder.max_attempts
    assert consumer.done == []


def test_permanent_error_goes_to_dead_letters_at_once_and_answers_rpc(amqp_url, queue, publisher, run_consumer) -> None:
    consumer = run_consumer(Recorder(amqp_url, queue))
    reply = publisher.call(queue, {"refuse": True}, timeout=10)
    assert reply == {"ok": False, "error": "probe.refused"}
    wait_until(lambda: _count(amqp_url, f"{queue}.dead") == 1)
    assert list(consumer.seen.values()) == [1]


def test_message_that_is_not_json_is_dead_lettered(amqp_url, queue, publisher, run_consumer) -> None:
    publisher.publish(queue, {"n": 0})  # declares the queues
    run_consumer(Recorder(amqp_url, queue))
    wait_until(lambda: _count(amqp_url, queue) == 0)
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    connection.channel().basic_publish("", queue, b"{not json")
    connection.close()
    wait_until(lambda: _count(amqp_url, f"{queue}.dead") == 1)


def test_rpc_reply_and_bounded_wait(amqp_url, queue, publisher, run_consumer) -> None:
    started = time.monotonic()
    assert publisher.call(queue, {"n": 4}, timeout=0.5) is None  # nobody consumes yet
    assert 0.5 <= time.monotonic() - started < 10  # bounded (with room for a busy machine)
    consumer = run_consumer(Recorder(amqp_url, queue))
    wait_until(lambda: consumer.done == [{"n": 4}])  # the timed-out request still got done
    assert publisher.call(queue, {"n": 5}, timeout=10) == {"ok": True, "echo": 5}


def test_publisher_recovers_from_a_dropped_connection(amqp_url, queue, publisher) -> None:
    publisher.publish(queue, {"n": 6})
    publisher._local.channel.connection.close()  # as if the broker had dropped us
    publisher.publish(queue, {"n": 7})
    assert _count(amqp_url, queue) == 2


def test_messages_are_persistent_json_with_idempotency_key(amqp_url, queue, publisher) -> None:
    key = publisher.publish(queue, {"n": 8}, message_id="job-1")
    assert key == "job-1"
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    method, properties, body = connection.channel().basic_get(queue, auto_ack=True)
    connection.close()
    assert json.loads(body) == {"n": 8}
    assert properties.message_id == "job-1" and properties.delivery_mode == 2
    assert properties.content_type == "application/json"


def test_consumer_and_publisher_reconnect_after_broker_restart(stack, amqp_url, queue, publisher, run_consumer) -> None:
    consumer = run_consumer(Recorder(amqp_url, queue))
    publisher.publish(queue, {"n": 9})
    wait_until(lambda: len(consumer.done) == 1)
    manager.control(stack, "restart", "rabbitmq")
    wait_until(lambda: manager.health(stack)["rabbitmq"]["healthy"], timeout=60)
    publisher.publish(queue, {"n": 10})  # the publisher's old connection is dead: it reconnects
    wait_until(lambda: len(consumer.done) == 2, timeout=60)
    assert consumer.done[1] == {"n": 10}


def test_a_consumer_is_back_within_seconds_of_the_broker(stack, amqp_url, queue, publisher, run_consumer) -> None:
    """A broker that was down for a while is used again at once when it is back: the
    reconnect delay stays short (capped, with jitter) however long the outage was."""
    consumer = run_consumer(Recorder(amqp_url, queue))
    publisher.publish(queue, {"n": 1})
    wait_until(lambda: len(consumer.done) == 1)
    manager.control(stack, "stop", "rabbitmq")
    try:
        # long enough that a growing back-off (1, 2, 4, 8, 16 s) would now sleep for long
        wait_until(lambda: consumer.connection_failures >= 5, timeout=90, interval=0.1)
    finally:
        manager.control(stack, "start", "rabbitmq")
    wait_until(lambda: manager.health(stack)["rabbitmq"]["healthy"], timeout=60, interval=0.1)
    back = time.monotonic()
    wait_until(lambda: consumer.consuming_since is not None and consumer.consuming_since > back - 60, timeout=30)
    assert consumer.consuming_since - back < 4.0, f"consuming again {consumer.consuming_since - back:.1f} s later"
    publisher.publish(queue, {"n": 2})
    wait_until(lambda: len(consumer.done) == 2)


def test_a_transient_failure_is_retried_in_place_ahead_of_the_backlog(amqp_url, queue, publisher,
                                                                      run_consumer) -> None:
    """A job that fails once (say, during a MongoDB restart) is tried again in a moment,
    not after the whole queue behind it."""
    publisher.publish(queue, {"n": 0})
    for n in range(1, 151):
        publisher.publish(queue, {"n": n})
    consumer = run_consumer(Recorder(amqp_url, queue, failures=1, quick_retries=3, work=0.02, failing={0}))
    wait_until(lambda: len(consumer.done) == 151, timeout=60)
    order = [body["n"] for body in consumer.done]
    assert order.index(0) < 100, f"the retried job came {order.index(0) + 1}th of 151"
    assert _count(amqp_url, f"{queue}.retry") == 0 and _count(amqp_url, f"{queue}.dead") == 0


def test_quick_retries_come_before_each_round_through_the_retry_queue(amqp_url, queue, publisher,
                                                                      run_consumer) -> None:
    consumer = run_consumer(Recorder(amqp_url, queue, failures=99, quick_retries=2))
    key = publisher.publish(queue, {"n": 13})
    wait_until(lambda: _count(amqp_url, f"{queue}.dead") == 1)
    assert consumer.seen[key] == Recorder.max_attempts * 3 and consumer.done == []


def test_quorum_queues_keep_retries_dead_letters_and_rpc(amqp_url, queue, run_consumer) -> None:
    """``amqp_queue_type: quorum`` (a RabbitMQ cluster) on the local node: the same
    retry queue with per-message TTL, the same dead letters, the same RPC."""
    publisher = AmqpClient(amqp_url, "quorum")
    try:
        consumer = run_consumer(Recorder(amqp_url, queue, failures=1, queue_type="quorum"))
        key = publisher.publish(queue, {"n": 11})
        wait_until(lambda: [body["n"] for body in consumer.done] == [11])
        assert consumer.seen[key] == 2  # failed once, retried through queue.retry
        assert publisher.call(queue, {"n": 12}, timeout=10) == {"ok": True, "echo": 12}
        assert publisher.call(queue, {"refuse": True}, timeout=10) == {"ok": False, "error": "probe.refused"}
        wait_until(lambda: _count(amqp_url, f"{queue}.dead") == 1)
    finally:
        publisher.close()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        for name in (queue, f"{queue}.retry", f"{queue}.dead"):
            declared = connection.channel().queue_declare(name, passive=True)
            assert declared.method.queue == name
        # the broker knows them as quorum queues: a classic redeclare is refused
        with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
            connection.channel().queue_declare(f"{queue}.dead", durable=True, arguments={"x-queue-type": "classic"})
        assert refused.value.reply_code == 406
    finally:
        connection.close()


def test_an_unknown_queue_type_is_refused() -> None:
    with pytest.raises(ValueError):
        queue_specs("x", "lazy")
