"""Publishing to RabbitMQ from the web services (pika, BlockingConnection).

Work queues have three parts, declared alike everywhere (``queue_specs``; the platform's
by the broker's definitions, ``provision.rabbitmq_definitions``):
``<q>`` (durable; a rejected message dead-letters to ``<q>.dead``), ``<q>.retry`` (no
consumer; a message waits there for its per-message TTL, then dead-letters back to
``<q>``) and ``<q>.dead`` (poison messages, kept for a human).

The queue type is the deployment's (``amqp_queue_type``): ``classic`` on one node,
``quorum`` on a RabbitMQ cluster (replicated by Raft; RabbitMQ ≥ 3.10 keeps per-message
TTL and dead-lettering, which the retry queue needs). A queue's type is fixed when it is
first declared: switch on a new virtual host, or after draining and deleting the queues.

Messages are persistent JSON with ``message_id`` = an idempotency key, published with
publisher confirms, so ``publish`` returns only once the broker owns the message.
``call`` is an RPC over RabbitMQ's direct reply-to with a bounded wait (used for
``am.sync``).

Each service and worker logs in as its own RabbitMQ user, ``svc_<name>``, with only the
permissions it needs (``provision.rabbitmq_definitions``), and stamps what it publishes
with ``user_id`` = that user. RabbitMQ refuses a ``user_id`` other than the publishing
connection's own (PRECONDITION_FAILED), so a consumer knows for sure which service sent
a message (``common.consumer.Consumer.sender``).
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any, Mapping

import pika
import pika.exceptions

# The user names are the catalog's; imported here too because clients ask common.amqp.
from common.catalog import service_user  # noqa: F401

if TYPE_CHECKING:  # the queue workers run without Flask (issue 15: 41 → 35 MiB for the AM worker)
    from flask import Flask

logger = logging.getLogger(__name__)

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
ATTEMPT_HEADER = "x-tessera-attempt"
#: on a consumer's retry copy: the user that published the original (Consumer.sender)
SENDER_HEADER = "x-tessera-sender"


def connection_parameters(url: str, username: str | None = None,
                          password: str | None = None) -> pika.URLParameters:
    """Parameters for ``url`` (``amqp://host:port/vhost?options``), logged in as
    ``username``/``password`` when given, else as the URL says (pika: guest)."""
    parameters = pika.URLParameters(url)
    if username:
        parameters.credentials = pika.PlainCredentials(username, password or "")
    return parameters


QUEUE_TYPES = ("classic", "quorum")


def queue_specs(queue: str, queue_type: str = "classic") -> list[tuple[str, dict[str, Any]]]:
    """``[(name, arguments)]`` of the queues behind the work queue ``queue``, in the
    order they must be declared (dead-letter targets first).

    ``queue_type`` is ``classic`` (no ``x-queue-type`` argument, as the queues have
    always been declared) or ``quorum``. Raises ValueError for another type.
    """
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"queue type {queue_type!r}: expected one of {', '.join(QUEUE_TYPES)}")
    kind: dict[str, Any] = {}
    dead_lettering: dict[str, Any] = {}
    if queue_type == "quorum":
        kind = {"x-queue-type": "quorum"}
        # A quorum queue dead-letters at most once unless told otherwise: a retry that
        # expires while the work queue's leader is unreachable would be lost.
        dead_lettering = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
    return [
        (f"{queue}.dead", {**kind}),
        (f"{queue}.retry", {**kind, **dead_lettering,
                            "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue}),
        (queue, {**kind, **dead_lettering,
                 "x-dead-letter-exchange": "", "x-dead-letter-routing-key": f"{queue}.dead"}),
    ]


def json_properties(message_id: str, *, headers: Mapping[str, Any] | None = None,
                    **kwargs: Any) -> pika.BasicProperties:
    """Properties of a persistent JSON message with ``message_id`` (the idempotency key)."""
    return pika.BasicProperties(content_type="application/json", delivery_mode=pika.DeliveryMode.Persistent,
                                message_id=message_id, headers=dict(headers or {}), timestamp=int(time.time()),
                                **kwargs)


class AmqpClient:
    """A lazily connected, self-healing publisher for one broker URL.

    One connection per thread (gunicorn's sync workers have one). A connection the
    broker dropped is replaced on the next call; if the broker is still down the call
    raises ``pika.exceptions.AMQPConnectionError`` (→ 503 ``rabbitmq``).
    """

    def __init__(self, url: str, queue_type: str = "classic", *, username: str | None = None,
                 password: str | None = None, declare: bool = True) -> None:
        """``declare`` False: the queues exist already — the platform's come from the
        broker's definitions (``provision.rabbitmq_definitions``), and a service may not
        declare — so a message for a queue that is missing fails as unroutable."""
        self.parameters = connection_parameters(url, username, password)
        self.queue_type = queue_type
        self.declare = declare
        #: stamped on every message as ``user_id``; the broker checks it is our login
        self.username = self.parameters.credentials.username
        self._local = threading.local()

    def _channel(self):
        channel = getattr(self._local, "channel", None)
        if channel is not None and channel.is_open and channel.connection.is_open:
            return channel
        self.close()
        connection = pika.BlockingConnection(self.parameters)
        channel = connection.channel()
        channel.confirm_delivery()
        self._local.channel = channel
        self._local.declared = set()
        return channel

    def close(self) -> None:
        """Close this thread's connection, if any."""
        channel = getattr(self._local, "channel", None)
        self._local.channel = None
        if channel is not None:
            try:
                channel.connection.close()
            except pika.exceptions.AMQPError:
                pass

    def _declare(self, channel, queue: str) -> None:
        if not self.declare or queue in self._local.declared:
            return
        for name, arguments in queue_specs(queue, self.queue_type):
            channel.queue_declare(name, durable=True, arguments=arguments)
        self._local.declared.add(queue)

    def _with_retry(self, operation):
        """Run ``operation(channel)``; on a dropped connection reconnect once and retry."""
        try:
            return operation(self._channel())
        except (pika.exceptions.StreamLostError, pika.exceptions.ConnectionClosed,
                pika.exceptions.ChannelClosed, pika.exceptions.ConnectionWrongStateError,
                pika.exceptions.ChannelWrongStateError):
            self.close()
            return operation(self._channel())

    def publish(self, queue: str, body: Mapping[str, Any], *, message_id: str | None = None) -> str:
        """Publish ``body`` (JSON) persistently to the work queue ``queue``; wait for the
        broker's confirm. Returns the message id (the idempotency key)."""
        message_id = message_id or uuid.uuid4().hex
        payload = json.dumps(body).encode()

        def operation(channel) -> None:
            self._declare(channel, queue)
            channel.basic_publish("", queue, payload, json_properties(message_id, user_id=self.username),
                                  mandatory=True)

        self._with_retry(operation)
        return message_id

    def call(self, queue: str, body: Mapping[str, Any], *, timeout: float) -> dict[str, Any] | None:
        """RPC: publish ``body`` to ``queue`` with a reply address and wait at most
        ``timeout`` seconds for the answer. Returns the decoded reply, or None on time-out
        (the request stays queued and will still be processed)."""
        correlation_id = uuid.uuid4().hex
        payload = json.dumps(body).encode()

        def operation(channel) -> dict[str, Any] | None:
            self._declare(channel, queue)
            replies = self._reply_consumer(channel)
            replies[correlation_id] = None  # awaited: a reply to anything else is dropped
            try:
                channel.basic_publish("", queue, payload,
                                      json_properties(correlation_id, reply_to=DIRECT_REPLY_TO,
                                                      correlation_id=correlation_id, user_id=self.username),
                                      mandatory=True)
                deadline = time.monotonic() + timeout
                while replies[correlation_id] is None and (remaining := deadline - time.monotonic()) > 0:
                    channel.connection.process_data_events(time_limit=min(remaining, 0.25))
                reply = replies[correlation_id]
            finally:
                replies.pop(correlation_id, None)
            return json.loads(reply) if reply is not None else None

        return self._with_retry(operation)

    def _reply_consumer(self, channel) -> dict[str, bytes | None]:
        """This channel's consumer of direct reply-to, started on its first call and kept
        for the channel's life (RabbitMQ allows any number of outstanding requests on
        one such consumer); returns correlation id → reply (None while awaited). Saves
        a basic.consume and a basic.cancel round trip per call."""
        if getattr(self._local, "reply_channel", None) is not channel:
            replies: dict[str, bytes | None] = {}

            def on_reply(_ch, _method, properties, reply_body: bytes) -> None:
                if properties.correlation_id in replies:  # else: the caller gave up waiting
                    replies[properties.correlation_id] = reply_body

            channel.basic_consume(DIRECT_REPLY_TO, on_reply, auto_ack=True)
            self._local.reply_channel, self._local.replies = channel, replies
        return self._local.replies

    def check(self) -> None:
        """Raise ``pika.exceptions.AMQPConnectionError`` unless the broker answers."""
        def operation(channel) -> None:
            channel.connection.process_data_events(time_limit=0)
        self._with_retry(operation)


def init_app(app: Flask) -> None:
    """Bind an ``AmqpClient`` for ``TESSERA['amqp_url']`` and ``['amqp_queue_type']``,
    logged in as ``['amqp_username']``."""
    config = app.config["TESSERA"]
    app.extensions["tessera.amqp"] = AmqpClient(config["amqp_url"], config["amqp_queue_type"],
                                                username=config["amqp_username"],
                                                password=config["amqp_password"], declare=False)


def amqp() -> AmqpClient:
    """The current app's AMQP client."""
    from flask import current_app

    return current_app.extensions["tessera.amqp"]
