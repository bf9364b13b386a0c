"""The base of Tessera's AMQP workers, after pika's ``asynchronous_consumer_example.py``.

One method per protocol step (connect → open channel → declare queues → set prefetch →
consume), a reconnect loop with a short, capped delay with jitter, and a message
acknowledged only after its work is done.

A transient failure is first retried in place: the delivery is kept (unacknowledged)
and handled again after a short, growing pause (``quick_retries`` times, from
``quick_retry_delay`` up to ``quick_retry_delay_cap``), scheduled on the ioloop so
other deliveries go on meanwhile. A blip — MongoDB failing over or restarting — is
thus ridden out in seconds instead of sending the job to the back of a long queue. Only when those fail is the message
re-published to ``<queue>.retry`` with a growing per-message TTL (``max_attempts``
such rounds), which dead-letters it back to the tail of ``<queue>``; after the last
round it is rejected into ``<queue>.dead``. Re-publishing uses publisher confirms: the
original is acknowledged only when the broker has confirmed the copy, so a crash at any
point loses nothing.

A subclass sets ``queue`` and implements ``handle(body, properties)``; it raises
``PermanentError`` for a message that no retry can fix (straight to the dead-letter
queue) and anything else for a transient failure. If the message asks for a reply
(``reply_to``), ``handle``'s return value is sent back with its ``correlation_id``.
"""
from __future__ import annotations

import abc
import json
import logging
import queue as queues
import random
import signal
import threading
from typing import Any, Callable

import pika
import pika.exceptions
from pika.channel import Channel
from pika.spec import Basic, BasicProperties

from common.amqp import ATTEMPT_HEADER, SENDER_HEADER, connection_parameters, json_properties, queue_specs
from common.metrics import QUEUE_JOBS

logger = logging.getLogger(__name__)


class PermanentError(Exception):
    """The message can never be processed (bad shape, refused request): dead-letter it.

    ``message`` is a translation key sent back to an RPC caller.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _WorkThread:
    """The work thread of a ``threaded`` consumer: it takes the deliveries the ioloop
    hands it, as many as wait at once, to ``Consumer.work_off``; it lives as long as the
    consumer, across reconnections, and never dies of a job's exception."""

    def __init__(self, consumer: "Consumer") -> None:
        self.consumer = consumer
        self.waiting: queues.SimpleQueue = queues.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name=f"{consumer.queue or 'consumer'}-work", daemon=True)
        self.thread.start()

    def put(self, delivery: tuple) -> None:
        self.waiting.put(delivery)

    def stop(self, then: Callable[[], None]) -> None:
        """Drop the deliveries not begun (the broker redelivers them once the channel
        closes), then call ``then`` from this thread after the job in hand."""
        self._drain()
        self.waiting.put(then)

    def _drain(self) -> list[tuple]:
        taken = []
        while True:
            try:
                taken.append(self.waiting.get_nowait())
            except queues.Empty:
                return taken

    def _run(self) -> None:
        while True:
            batch = [self.waiting.get(), *self._drain()]
            deliveries = [item for item in batch if isinstance(item, tuple)]
            try:
                if deliveries:
                    self.consumer.work_off(deliveries)
            except Exception:  # noqa: BLE001 — a defect must not stop the consumer
                logger.exception("the work thread of %s failed", self.consumer.queue)
            for item in batch:
                if not isinstance(item, tuple):
                    item()


class Consumer(abc.ABC):
    """Consume one work queue until ``stop()``; reconnect whenever the broker goes away."""

    queue: str = ""
    prefetch_count: int = 10
    #: handle messages on a work thread of their own, so that the ioloop keeps sending
    #: acks and taking deliveries while a job is being done (pika's threaded-consumer
    #: pattern: every channel call stays on the ioloop, add_callback_threadsafe); a
    #: consumer whose jobs block on I/O then never waits for the broker between them
    threaded: bool = False
    #: in-place retries of a transient failure before the retry queue; the pauses are
    #: quick_retry_delay, doubling up to quick_retry_delay_cap (0.25 + 0.5 + 1 + 2 + 4 + 4
    #: ≈ 12 s, plus the tries: ~2 s each while MongoDB is unreachable, see common.db),
    #: long enough for a MongoDB restart or a replica-set election (MongoDB's
    #: ``electionTimeoutMillis``: 10 s by default)
    quick_retries: int = 6
    quick_retry_delay: float = 0.25     # seconds
    quick_retry_delay_cap: float = 4.0  # seconds
    #: rounds through ``<queue>.retry`` (each after its quick retries) before ``.dead``
    max_attempts: int = 5
    retry_delay: float = 2.0        # seconds before the 2nd round; doubles per round
    retry_delay_cap: float = 300.0  # seconds
    #: reconnecting: the first try after reconnect_delay, doubling up to the cap, each
    #: with up to half of it taken off at random (jitter, so that workers do not all
    #: knock at once). A short cap: a broker that is back is used again within ~2 s
    #: (pika's asynchronous consumer example reconnects after a fixed few seconds).
    reconnect_delay: float = 0.5       # seconds
    reconnect_delay_cap: float = 2.0   # seconds

    def __init__(self, amqp_url: str, *, queue_type: str = "classic", username: str | None = None,
                 password: str | None = None, declare: bool = True) -> None:
        """``declare`` False: consume the queue as the broker's definitions declared it
        (a worker of the platform may not declare; see ``common.amqp.AmqpClient``)."""
        self.parameters = connection_parameters(amqp_url, username, password)
        self.declare = declare
        self.username = self.parameters.credentials.username
        self.queue_type = queue_type  # see common.amqp.queue_specs
        self._connection: pika.SelectConnection | None = None
        self._channel: Channel | None = None
        self._consumer_tag: str | None = None
        self._stopping = False
        self._wakeup = threading.Event()
        self._consuming = False
        self._reconnects = 0  # failed connections in a row
        self._publish_seq = 0
        # publish sequence number → delivery tag of the message to ack once confirmed
        self._awaiting_confirm: dict[int, int | None] = {}
        self._work: _WorkThread | None = None

    # -- the work -----------------------------------------------------------------
    @abc.abstractmethod
    def handle(self, body: dict[str, Any], properties: BasicProperties) -> dict[str, Any] | None:
        """Do the work for one message. Return the RPC reply (or None)."""

    # -- running --------------------------------------------------------------------
    def run(self, *, handle_signals: bool = True) -> None:
        """Consume until ``stop()`` (or SIGTERM/SIGINT when ``handle_signals``, which only
        the main thread may install), reconnecting with a capped, growing delay."""
        if handle_signals:
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
            signal.signal(signal.SIGINT, lambda *_: self.stop())
        if self.threaded and self._work is None:
            self._work = _WorkThread(self)
        while not self._stopping:
            self._connection = self.connect()
            try:
                self._connection.ioloop.start()
            finally:
                self._connection.ioloop.close()
            if not self._stopping:
                delay = self.next_reconnect_delay()
                logger.info("reconnecting in %.2f s", delay)
                self._wakeup.wait(delay)

    def next_reconnect_delay(self) -> float:
        """Seconds to wait before the next connection attempt (counted since the last
        time we were consuming): ``reconnect_delay`` doubling up to
        ``reconnect_delay_cap``, minus up to half of it at random."""
        delay = min(self.reconnect_delay * 2 ** self._reconnects, self.reconnect_delay_cap)
        self._reconnects += 1
        return delay * random.uniform(0.5, 1.0)

    def stop(self) -> None:
        """Stop consuming, let in-flight work finish, close the connection."""
        if self._stopping:
            return
        self._stopping = True
        self._wakeup.set()
        logger.info("stopping consumer of %s", self.queue)
        if self._connection is None:
            return
        if self._consuming and self._channel is not None and self._channel.is_open:
            self._connection.ioloop.add_callback_threadsafe(
                lambda: self._channel.basic_cancel(self._consumer_tag, self.on_cancelok))
        else:
            self._connection.ioloop.add_callback_threadsafe(self._close_connection)

    def connect(self) -> pika.SelectConnection:
        logger.info("connecting to %s:%s", self.parameters.host, self.parameters.port)
        return pika.SelectConnection(parameters=self.parameters,
                                     on_open_callback=self.on_connection_open,
                                     on_open_error_callback=self.on_connection_open_error,
                                     on_close_callback=self.on_connection_closed)

    def _close_connection(self) -> None:
        self._consuming = False
        if self._connection is not None and not (self._connection.is_closing or self._connection.is_closed):
            self._connection.close()
        elif self._connection is not None:
            self._connection.ioloop.stop()

    # -- protocol steps -----------------------------------------------------------------
    def on_connection_open(self, _connection: pika.SelectConnection) -> None:
        logger.info("connection open")
        self._connection.channel(on_open_callback=self.on_channel_open)

    def on_connection_open_error(self, _connection: pika.SelectConnection, error: Exception) -> None:
        logger.warning("connection failed: %s", error)
        self._connection.ioloop.stop()

    def on_connection_closed(self, _connection: pika.SelectConnection, reason: Exception) -> None:
        self._channel = None
        self._consuming = False
        if not self._stopping:
            logger.warning("connection closed: %s", reason)
        self._connection.ioloop.stop()

    def on_channel_open(self, channel: Channel) -> None:
        self._channel = channel
        self._publish_seq = 0
        self._awaiting_confirm.clear()
        channel.add_on_close_callback(self.on_channel_closed)
        channel.confirm_delivery(self.on_delivery_confirmation)
        self.declare_queues(list(queue_specs(self.queue, self.queue_type)) if self.declare else [])

    def on_channel_closed(self, _channel: Channel, reason: Exception) -> None:
        logger.warning("channel closed: %s", reason)
        self._close_connection()

    def declare_queues(self, remaining: list[tuple[str, dict[str, Any]]]) -> None:
        if not remaining:
            self._channel.basic_qos(prefetch_count=self.prefetch_count, callback=self.on_basic_qos_ok)
            return
        name, arguments = remaining[0]
        self._channel.queue_declare(name, durable=True, arguments=arguments,
                                    callback=lambda _frame: self.declare_queues(remaining[1:]))

    def on_basic_qos_ok(self, _frame) -> None:
        self._channel.add_on_cancel_callback(lambda _frame: self._close_connection())
        self._consumer_tag = self._channel.basic_consume(self.queue, self.on_message)
        self._consuming = True
        self._reconnects = 0
        logger.info("consuming %s (prefetch %s)", self.queue, self.prefetch_count)

    def on_cancelok(self, _frame) -> None:
        self._consuming = False
        if self._work is None:
            self._channel.close()
            return
        # the work thread finishes the job in hand (its settlement is queued on the ioloop
        # first), drops what it had not begun (the broker redelivers it), then closes
        self._work.stop(lambda: self._on_ioloop(self._close_channel))

    def _close_channel(self) -> None:
        if self._channel is not None and self._channel.is_open:
            self._channel.close()

    # -- messages -------------------------------------------------------------------------
    def on_message(self, channel: Channel, deliver: Basic.Deliver, properties: BasicProperties,
                   raw: bytes) -> None:
        self._dispatch((channel, deliver, properties, raw, 0))

    def _dispatch(self, delivery: tuple) -> None:
        """Have ``delivery`` (channel, deliver, properties, raw, quick retries so far)
        processed: here on the ioloop, or by the work thread (``threaded``)."""
        if self._work is None:
            self._process(*delivery)
        else:
            self._work.put(delivery)

    def work_off(self, deliveries: list[tuple]) -> None:
        """(work thread) Process the deliveries that were waiting together, in order.
        A subclass may first do what can be done for all of them at once."""
        for delivery in deliveries:
            if self._stopping:
                return  # not begun: redelivered once the channel closes
            self._process(*delivery)

    def _on_ioloop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` on the ioloop: now when we are on it, else from its queue
        (pika's connections are not thread-safe: every channel call is made there)."""
        if self._work is None:
            callback()
            return
        connection = self._connection
        if connection is None:
            return
        try:
            connection.ioloop.add_callback_threadsafe(callback)
        except Exception:  # the connection's ioloop is gone: the broker redelivers
            logger.warning("could not hand a settlement to the closed connection")

    def _process(self, channel: Channel, deliver: Basic.Deliver, properties: BasicProperties,
                 raw: bytes, quick: int) -> None:
        """Handle one delivery (``quick``: in-place retries so far) and settle it:
        ack, reject, retry in place, or re-publish for a later round. The handling
        runs where this is called (the ioloop, or the work thread); the settling on
        the ioloop."""
        if channel is not self._channel or not channel.is_open:
            return  # the channel closed while we waited: the broker redelivers the message
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise PermanentError("amqp.message_not_object")
            reply = self.handle(body, properties)
        except PermanentError as exc:
            logger.warning("message %s refused: %s", properties.message_id, exc.message)
            outcome: tuple[str, Any] = ("refused", exc.message)
        except ValueError as exc:  # not JSON
            logger.warning("message %s is not JSON: %s", properties.message_id, exc)
            outcome = ("refused", None)
        except Exception as exc:
            outcome = ("failed", exc)
        else:
            outcome = ("done", reply)
        self._on_ioloop(lambda: self._settle(channel, deliver, properties, raw, quick, outcome))

    def _settle(self, channel: Channel, deliver: Basic.Deliver, properties: BasicProperties,
                raw: bytes, quick: int, outcome: tuple[str, Any]) -> None:
        """(ioloop) Ack, reject, schedule a quick retry or re-publish one handled delivery."""
        if channel is not self._channel or not channel.is_open:
            return  # the broker redelivers it, and the work is idempotent
        kind, value = outcome
        if kind == "done":
            self._reply(properties, value if value is not None else {"ok": True})
            channel.basic_ack(deliver.delivery_tag)
            QUEUE_JOBS.labels(self.queue, "done").inc()
            return
        if kind == "refused":
            if value is not None:
                self._reply(properties, {"ok": False, "error": value})
            channel.basic_reject(deliver.delivery_tag, requeue=False)
            QUEUE_JOBS.labels(self.queue, "refused").inc()
            return
        attempt = int((properties.headers or {}).get(ATTEMPT_HEADER, 1))
        if quick < self.quick_retries:
            delay = min(self.quick_retry_delay * 2 ** quick, self.quick_retry_delay_cap)
            logger.warning("message %s failed (round %s): %r; quick retry %s of %s in %s s",
                           properties.message_id, attempt, value, quick + 1, self.quick_retries, delay)
            self._connection.ioloop.call_later(
                delay, lambda: self._dispatch((channel, deliver, properties, raw, quick + 1)))
            return
        logger.error("message %s failed (round %s of %s)", properties.message_id, attempt, self.max_attempts,
                     exc_info=value)
        self._retry_or_dead_letter(deliver, properties, raw, attempt)

    def sender(self, properties: BasicProperties) -> str | None:
        """The RabbitMQ user that published the message, as the broker vouches for it
        (``user_id``, checked against the publisher's login), or None when unstamped.

        A retry copy is published by this consumer itself, so its ``user_id`` is ours;
        the original sender then rides in ``SENDER_HEADER``, which only a message
        stamped with our own user may carry (no one else can publish as us).
        """
        if properties.user_id and properties.user_id == self.username:
            return (properties.headers or {}).get(SENDER_HEADER)
        return properties.user_id

    def _reply(self, properties: BasicProperties, reply: dict[str, Any]) -> None:
        if not properties.reply_to:
            return
        self._publish(properties.reply_to, json.dumps(reply).encode(),
                      pika.BasicProperties(content_type="application/json",
                                           correlation_id=properties.correlation_id),
                      ack_tag=None)

    def _retry_or_dead_letter(self, deliver: Basic.Deliver, properties: BasicProperties,
                              raw: bytes, attempt: int) -> None:
        if attempt >= self.max_attempts:
            logger.error("message %s dead-lettered after %s tries", properties.message_id, attempt)
            self._channel.basic_reject(deliver.delivery_tag, requeue=False)
            QUEUE_JOBS.labels(self.queue, "dead_lettered").inc()
            return
        delay = min(self.retry_delay * 2 ** (attempt - 1), self.retry_delay_cap)
        headers = dict(properties.headers or {})
        headers[ATTEMPT_HEADER] = attempt + 1
        headers[SENDER_HEADER] = self.sender(properties)
        retry_properties = json_properties(properties.message_id or "", headers=headers,
                                           expiration=str(int(delay * 1000)),
                                           reply_to=properties.reply_to,
                                           correlation_id=properties.correlation_id,
                                           user_id=self.username)
        # ack the original only when the broker has confirmed the copy
        self._publish(f"{self.queue}.retry", raw, retry_properties, ack_tag=deliver.delivery_tag)
        QUEUE_JOBS.labels(self.queue, "retried").inc()

    def _publish(self, routing_key: str, raw: bytes, properties: BasicProperties, *, ack_tag: int | None) -> None:
        self._publish_seq += 1
        self._awaiting_confirm[self._publish_seq] = ack_tag
        self._channel.basic_publish("", routing_key, raw, properties)

    def on_delivery_confirmation(self, frame) -> None:
        method = frame.method
        acked = isinstance(method, Basic.Ack)
        tags = ([t for t in self._awaiting_confirm if t <= method.delivery_tag]
                if method.multiple else [method.delivery_tag])
        for seq in tags:
            original = self._awaiting_confirm.pop(seq, None)
            if original is None:
                continue
            if acked:
                self._channel.basic_ack(original)
            else:  # the broker refused the copy: give the original back
                self._channel.basic_nack(original, requeue=True)


def amqp_options(config: dict[str, Any]) -> dict[str, Any]:
    """``Consumer`` options from a worker's loaded configuration: the queue type, the
    worker's own RabbitMQ login, and no declaring (the broker's definitions do)."""
    return {"queue_type": config["amqp_queue_type"], "username": config["amqp_username"],
            "password": config["amqp_password"], "declare": False}


def run_consumer(consumer: Consumer) -> None:
    """Run ``consumer`` until stopped (the body of a worker's ``main``)."""
    try:
        consumer.run()
    except KeyboardInterrupt:
        consumer.stop()


__all__ = ["Consumer", "PermanentError", "run_consumer"]
