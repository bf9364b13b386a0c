"""``python -m services.msg.worker``: send the jobs of ``msg.mail`` and ``msg.sms``.

One process runs two consumers, each in its own thread with its own
``SelectConnection`` and ioloop (``Consumer.run(handle_signals=False)``; pika
connections are not thread-safe, so they share nothing but the MongoDB client, which
is). The main thread owns the signals: SIGTERM or SIGINT stops both consumers, which
finish the job in hand; if either thread dies the process exits non-zero and
supervisord restarts it. One process instead of two keeps the topology's one program
per worker.

Every job goes: validate → render → claim its idempotency key → send → record it
(``services.msg.ledger``). A job that can never be sent (bad shape, unknown template,
missing context key, recipient refused with 5xx) is a PermanentError: dead-lettered to
``<queue>.dead``. Anything else is retried with back-off by the consumer base.
"""
from __future__ import annotations

import abc
import logging
import signal
import sys
import threading
import time
from typing import Any, Callable

from marshmallow import Schema, ValidationError
from pika.spec import BasicProperties
from pymongo.errors import PyMongoError

from common import logs
from common.config import load_config
from common.consumer import Consumer, PermanentError, amqp_options
from common.db import client_for, close_clients, private_db_name
from services.msg.errors import MsgMsg
from services.msg.ledger import RESEND, SKIP, SentLedger
from services.msg.mailer import SmtpMailer, build_message
from services.msg.schemas import ConfigSchema, MailJob, SmsJob
from services.msg.sms import SmsProvider, make_provider
from services.msg.templates import RenderedMail, Renderer

logger = logging.getLogger(__name__)

MAIL_QUEUE = "msg.mail"
SMS_QUEUE = "msg.sms"
#: How long the start waits for MongoDB before giving up (supervisord restarts us).
START_WAIT = 60.0  # seconds
#: A claim outlives the longest send of a live worker by this much (seconds).
LEASE_MARGIN = 5.0
#: Tries of recording a job as sent before giving up (it has left: never raise then).
MARK_TRIES = 3


class JobConsumer(Consumer):
    """The common part of the mail and SMS consumers: validate, render, claim, send, record.

    Subclasses set ``queue`` and ``job_schema`` and implement ``prepare`` (render, may
    raise PermanentError), ``deliver`` (send), ``lease`` (seconds a send may take) and
    ``already_delivered`` (ask the provider after a crash, where it can tell).
    """

    job_schema: type[Schema]
    # Mail is worth waiting for: 2+4+…+128 s ≈ 4 minutes of retries before the dead queue.
    max_attempts = 8

    def __init__(self, amqp_url: str, ledger: SentLedger, renderer: Renderer, **options: Any) -> None:
        """``options``: ``Consumer``'s (queue_type, username, password)."""
        super().__init__(amqp_url, **options)
        self.ledger = ledger
        self.renderer = renderer

    # -- the work -----------------------------------------------------------------------
    @abc.abstractmethod
    def prepare(self, job: dict[str, Any]) -> Any:
        """Render ``job``; raise PermanentError when it cannot be."""

    @abc.abstractmethod
    def deliver(self, job: dict[str, Any], rendered: Any, key: str, accepted: Callable[[], None]) -> None:
        """Send the rendered job; call ``accepted()`` the moment the provider has it
        (and nothing that can fail after), or return and let the caller call it."""

    @abc.abstractmethod
    def lease(self) -> float:
        """Seconds a live worker may need for one ``deliver``."""

    def already_delivered(self, key: str) -> bool | None:
        """After a crash mid-send: whether the provider has job ``key`` (None: cannot tell)."""
        return None

    def handle(self, body: dict[str, Any], properties: BasicProperties) -> dict[str, Any] | None:
        """Send one job at most once per ``message_id`` (see ``services.msg.ledger``)."""
        key = properties.message_id
        if not key:
            raise PermanentError(MsgMsg.message_id_missing)
        try:
            job = self.job_schema().load(body)
        except ValidationError as exc:
            logger.warning("%s job %s is malformed: %s", self.queue, key, sorted(exc.messages))
            raise PermanentError(MsgMsg.job_invalid) from exc
        rendered = self.prepare(job)
        ledger_key = f"{self.queue}:{key}"
        claim = self.ledger.claim(ledger_key, self.lease())
        if claim == SKIP:
            logger.info("%s job %s was sent already: not sending it again", self.queue, key)
            return None
        if claim == RESEND:
            if self.already_delivered(key):
                logger.warning("%s job %s had left before the crash: recorded, not sent again", self.queue, key)
                self._mark_sent(ledger_key)
                return None
            logger.warning("%s job %s may have left before the crash: sending it again", self.queue, key)
        recorded: list[bool] = []

        def accepted() -> None:  # the provider has it: record that at once
            if not recorded:
                recorded.append(True)
                self._mark_sent(ledger_key)

        try:
            self.deliver(job, rendered, key, accepted)
        except BaseException:
            if not recorded:
                self._release(ledger_key)
            raise
        accepted()
        logger.info("sent %s %s (job %s)", self.queue, job["template"], key)
        return None

    def _release(self, ledger_key: str) -> None:
        try:
            self.ledger.release(ledger_key)
        except PyMongoError as exc:  # the claim is ours: a retry from us may take it again
            logger.warning("could not release %s: %s", ledger_key, exc)

    def _mark_sent(self, ledger_key: str) -> None:
        # The job has left. Raising now would resend it, so try a little, then only log.
        for attempt in range(1, MARK_TRIES + 1):
            try:
                self.ledger.mark_sent(ledger_key)
                return
            except PyMongoError as exc:
                logger.error("could not record %s as sent (try %s): %s", ledger_key, attempt, exc)
                time.sleep(0.5 * attempt)


class MailConsumer(JobConsumer):
    """Consumes ``msg.mail``: ``{"template", "to", "language", "context"}``."""

    queue = MAIL_QUEUE
    job_schema = MailJob

    def __init__(self, amqp_url: str, ledger: SentLedger, renderer: Renderer, mailer: SmtpMailer,
                 **options: Any) -> None:
        super().__init__(amqp_url, ledger, renderer, **options)
        self.mailer = mailer

    def prepare(self, job: dict[str, Any]) -> RenderedMail:
        return self.renderer.render_mail(job["template"], job["language"], job["context"])

    def deliver(self, job: dict[str, Any], rendered: RenderedMail, key: str, accepted: Callable[[], None]) -> None:
        message = build_message(rendered, job["to"], self.mailer.sender, self.mailer.from_address, key)
        self.mailer.send(message, accepted)

    def lease(self) -> float:
        # connect, (TLS,) EHLO, MAIL, RCPT, DATA: each may take up to the time-out
        return 2 * self.mailer.timeout + LEASE_MARGIN


class SmsConsumer(JobConsumer):
    """Consumes ``msg.sms``: ``{"template", "to" (E.164), "language", "context"}``."""

    queue = SMS_QUEUE
    job_schema = SmsJob

    def __init__(self, amqp_url: str, ledger: SentLedger, renderer: Renderer, provider: SmsProvider,
                 **options: Any) -> None:
        super().__init__(amqp_url, ledger, renderer, **options)
        self.provider = provider

    def prepare(self, job: dict[str, Any]) -> str:
        return self.renderer.render_sms(job["template"], job["language"], job["context"])

    def deliver(self, job: dict[str, Any], rendered: str, key: str, accepted: Callable[[], None]) -> None:
        self.provider.send(job["to"], rendered, key)

    def lease(self) -> float:
        return self.provider.timeout + LEASE_MARGIN

    def already_delivered(self, key: str) -> bool | None:
        return self.provider.has_sent(key)


def make_ledger(config: dict[str, Any], wait: float = START_WAIT) -> SentLedger:
    """The ledger in ``tessera_msg.sent`` with its indexes, waiting up to ``wait``
    seconds for MongoDB. Raises the last PyMongoError when it stays unreachable."""
    collection = client_for(config)[private_db_name("msg")].sent
    ledger = SentLedger(collection, config["sent_ttl"])
    deadline = time.monotonic() + wait
    while True:
        try:
            ledger.ensure_indexes()
            return ledger
        except PyMongoError as exc:
            if time.monotonic() > deadline:
                raise
            logger.warning("cannot create the ledger's indexes yet: %s", exc)
            time.sleep(2)


def build_consumers(config: dict[str, Any]) -> tuple[MailConsumer, SmsConsumer]:
    """The two consumers for a loaded configuration (``ConfigSchema``)."""
    ledger = make_ledger(config)
    renderer = Renderer(config["languages"], config["default_language"])
    mailer = SmtpMailer(config["smtp"], config["smtp_password"])
    provider = make_provider(config["sms"], config["sms_token"])
    options = amqp_options(config)
    return (MailConsumer(config["amqp_url"], ledger, renderer, mailer, **options),
            SmsConsumer(config["amqp_url"], ledger, renderer, provider, **options))


def serve(consumers: tuple[Consumer, ...]) -> int:
    """Run each consumer in a thread until SIGTERM/SIGINT or until one of them dies.

    Must be called from the main thread. Returns the exit status: 0 after a signal,
    1 when a consumer thread ended on its own.
    """
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    threads = [threading.Thread(target=consumer.run, kwargs={"handle_signals": False}, name=consumer.queue,
                                daemon=True) for consumer in consumers]
    for thread in threads:
        thread.start()
    while not stopping.is_set() and all(thread.is_alive() for thread in threads):
        stopping.wait(0.5)
    crashed = not stopping.is_set()
    if crashed:
        logger.error("a consumer thread ended unexpectedly; stopping the worker")
    for consumer in consumers:
        consumer.stop()
    for thread in threads:
        thread.join(timeout=20)
    return 1 if crashed else 0


def main() -> None:
    """Run the mail and SMS consumers until SIGTERM/SIGINT."""
    config = load_config("msg", ConfigSchema)
    logs.configure("msg", config["log_level"])
    try:
        status = serve(build_consumers(config))
    finally:
        close_clients()
    sys.exit(status)


if __name__ == "__main__":
    main()
