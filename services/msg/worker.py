"""``python -m services.msg.worker``: send the jobs of ``msg.mail`` and ``msg.sms``.

One process runs two consumers, each in its own thread with its own
``SelectConnection`` and ioloop (``Consumer.run(handle_signals=False)``; pika
connections are not thread-safe, so they share nothing but the MongoDB client, which
is). The main thread owns the signals: SIGTERM or SIGINT stops both consumers, which
finish the job in hand; if either thread dies the process exits non-zero and
supervisord restarts it. One process instead of two keeps the topology's one program
per worker.

Every job goes: validate (``common.queues``) → render → claim its idempotency key →
send → record it (``services.msg.ledger``). The two queues differ only in how a job is
rendered and leaves: an ``Outlet`` each (``mail_outlet``, ``sms_outlet``). A job that
can never be sent (bad shape, unknown template, missing context key, recipient or
message refused with 5xx, an internationalised address the server cannot take) is a
PermanentError: dead-lettered to ``<queue>.dead`` at once. Anything else is retried by
the consumer base (in place first, then through ``<queue>.retry``).

Fault injection, for tests only: when the environment variable ``CRASH_AFTER_SEND_ENV``
(``TESSERA_TEST_CRASH_AFTER_SEND``) names a recipient, the process kills itself with
SIGKILL right after a job to that recipient has been accepted by the provider and
before the ledger records it — the one window in which a job is sent twice (see
``services.msg.ledger``), so that a test can show the duplicate is flagged. Unset (as
in every deployment: nothing sets it but a test that starts its own worker) it does
nothing.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from pika.spec import BasicProperties
from pymongo.errors import PyMongoError

from common import logs, metrics
from common.config import load_config
from common.consumer import Consumer, PermanentError, amqp_options
from common.db import client_for, close_clients, private_db_name
from common.queues import MAIL, SMS, InvalidMessage, Queue
from services.msg.errors import MsgMsg
from services.msg.ledger import RESEND, SEND, SKIP, SentLedger
from services.msg.mailer import SmtpMailer, message_for
from services.msg.schemas import ConfigSchema
from services.msg.sms import SmsProvider, make_provider
from services.msg.templates import Renderer

logger = logging.getLogger(__name__)

#: How long the start waits for MongoDB before giving up (supervisord restarts us).
START_WAIT = 60.0  # seconds
#: A claim outlives the longest send of a live worker by this much (seconds).
LEASE_MARGIN = 5.0
#: Tries of recording a job as sent before giving up (it has left: never raise then).
MARK_TRIES = 3
#: Test-only fault injection (see the module's docstring): a recipient, or unset.
CRASH_AFTER_SEND_ENV = "TESSERA_TEST_CRASH_AFTER_SEND"


@dataclass(frozen=True)
class Outlet:
    """How the jobs of one queue are rendered and leave.

    ``render(template, language, context)`` → what ``send`` takes (raises
    PermanentError when it cannot be rendered); ``send(job, rendered, key, accepted)``
    hands it to the provider and calls ``accepted()`` the moment the provider has it
    (or returns, and the caller calls it); ``lease``: the seconds one send of a live
    worker may take; ``already_delivered(key)``: after a crash mid-send, whether the
    provider has job ``key`` (None: it cannot tell)."""

    render: Callable[[str, str | None, dict[str, Any]], Any]
    send: Callable[[dict[str, Any], Any, str, Callable[[], None]], None]
    lease: float
    already_delivered: Callable[[str], bool | None] = lambda _key: None


def mail_outlet(renderer: Renderer, mailer: SmtpMailer) -> Outlet:
    """Mail: rendered in text and HTML, sent over SMTP with a ``Message-ID`` from the key."""
    def send(job: dict[str, Any], rendered: Any, key: str, accepted: Callable[[], None]) -> None:
        mailer.send(message_for(rendered, job["to"], mailer.sender, mailer.from_address, key), accepted)
    # connect, (TLS,) EHLO, MAIL, RCPT, DATA: each may take up to the time-out
    return Outlet(renderer.render_mail, send, 2 * mailer.timeout + LEASE_MARGIN)


def sms_outlet(renderer: Renderer, provider: SmsProvider) -> Outlet:
    """SMS: one line of text through the provider, which may know what it sent."""
    def send(job: dict[str, Any], rendered: Any, key: str, _accepted: Callable[[], None]) -> None:
        provider.send(job["to"], rendered, key)
    return Outlet(renderer.render_sms, send, provider.timeout + LEASE_MARGIN, provider.has_sent)


class JobConsumer(Consumer):
    """Consumes one queue of jobs (``contract``: ``common.queues.MAIL`` or ``SMS``):
    validate, render, claim, send, record — through ``outlet``."""

    # Mail is worth waiting for: 2+4+…+128 s ≈ 4 minutes of rounds before the dead queue.
    max_attempts = 8
    #: The broker hands over up to this many jobs before an ack; the deliveries that
    #: arrive together are claimed in one ledger round trip (``SentLedger.claim_new``)
    #: and then sent one after the other, each acknowledged once it has left and been
    #: recorded — so at most one job is ever between "sent" and "recorded".
    prefetch_count = 100
    threaded = True

    def __init__(self, amqp_url: str, contract: Queue, ledger: SentLedger, outlet: Outlet,
                 *, crash_after_send: str | None = None, **options: Any) -> None:
        """``crash_after_send``: test-only fault injection (module docstring), None in
        production. ``options``: ``Consumer``'s (queue_type, username, password, declare)."""
        super().__init__(amqp_url, **options)
        self.queue = contract.name
        #: the ``channel`` label of ``tessera_messages_sent``: mail or sms
        self.channel = contract.name.rpartition(".")[2]
        self.contract = contract
        self.ledger = ledger
        self.outlet = outlet
        self.crash_after_send = crash_after_send
        #: ledger key → time.monotonic() until which its batch claim (claim_new) may be used
        self._claimed: dict[str, float] = {}

    def work_off(self, deliveries: list[tuple]) -> None:
        """(work thread) Claim the new jobs of the deliveries that waited together in
        one round trip, then process each (the base's: handle, then ack, reject or
        retry); release the batch claims of jobs that never got as far as theirs."""
        keys = [f"{self.queue}:{delivery[2].message_id}" for delivery in deliveries if delivery[2].message_id]
        # twice a send's lease, used for one lease at most (handle): a job reached late
        # in a long batch is claimed again on its own, so no claim outlives its lease
        try:
            claimed = self.ledger.claim_new(keys, 2 * self.outlet.lease)
        except PyMongoError as exc:  # each job is claimed (and fails, and is retried) on its own
            logger.warning("could not claim %s jobs at once: %s", len(keys), exc)
            claimed = set()
        self._claimed = dict.fromkeys(claimed, time.monotonic() + self.outlet.lease)
        try:
            super().work_off(deliveries)
        finally:
            left, self._claimed = list(self._claimed), {}
            try:  # malformed, refused before its claim, or not begun (stopping)
                self.ledger.forget(left)
            except PyMongoError as exc:  # a stale claim of ours: the next claim of that key takes it
                logger.warning("could not drop %s unused claims: %s", len(left), exc)

    def handle(self, body: dict[str, Any], properties: BasicProperties) -> dict[str, Any] | None:
        """Send one job at most once per ``message_id`` (see ``services.msg.ledger``)."""
        key = properties.message_id
        if not key:
            raise PermanentError(MsgMsg.message_id_missing)
        try:
            job = self.contract.load(body)
        except InvalidMessage as exc:
            logger.warning("%s job %s is malformed: %s", self.queue, key, sorted(exc.messages))
            raise PermanentError(MsgMsg.job_invalid) from exc
        rendered = self.outlet.render(job["template"], job["language"], job["context"])
        ledger_key = f"{self.queue}:{key}"
        if self._claimed.pop(ledger_key, 0.0) > time.monotonic():
            claim = SEND  # claimed with its batch, and that claim has a lease left
        else:
            claim = self.ledger.claim(ledger_key, self.outlet.lease)
        if claim == SKIP:
            logger.info("%s job %s was sent already: not sending it again", self.queue, key)
            return None
        if claim == RESEND:
            if self.outlet.already_delivered(key):
                logger.warning("%s job %s had left before the crash: recorded, not sent again", self.queue, key)
                self._mark_sent(ledger_key)
                return None
            logger.warning("%s job %s may have left before the crash: sending it again", self.queue, key)
        recorded: list[bool] = []

        def accepted() -> None:  # the provider has it: record that at once
            if not recorded:
                recorded.append(True)
                if self.crash_after_send is not None and job["to"] == self.crash_after_send:
                    logger.error("fault injection: killed after sending job %s, before recording it", key)
                    os.kill(os.getpid(), signal.SIGKILL)
                self._mark_sent(ledger_key)

        try:
            self.outlet.send(job, rendered, key, accepted)
        except BaseException:
            if not recorded:
                self._release(ledger_key)
            raise
        accepted()
        metrics.MESSAGES_SENT.labels(self.channel, job["template"]).inc()
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


def build_consumers(config: dict[str, Any]) -> tuple[JobConsumer, JobConsumer]:
    """The mail and SMS consumers for a loaded configuration (``ConfigSchema``)."""
    ledger = make_ledger(config)
    renderer = Renderer(config["languages"], config["default_language"])
    mailer = SmtpMailer(config["smtp"], config["smtp_password"])
    provider = make_provider(config["sms"], config["sms_token"])
    options = {**amqp_options(config), "crash_after_send": os.environ.get(CRASH_AFTER_SEND_ENV) or None}
    return (JobConsumer(config["amqp_url"], MAIL, ledger, mail_outlet(renderer, mailer), **options),
            JobConsumer(config["amqp_url"], SMS, ledger, sms_outlet(renderer, provider), **options))


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
    metrics.serve_process_metrics()
    try:
        status = serve(build_consumers(config))
    finally:
        close_clients()
    sys.exit(status)


if __name__ == "__main__":
    main()
