"""``python -m services.am.worker``: consume ``am.sync`` and apply it to the central db.

Each message is an RPC request (the caller waits on ``reply_to`` with a bounded time);
``handle`` returns None so the consumer base replies ``{"ok": true}``, and a refusal is
a ``PermanentError`` whose key the base replies as ``{"ok": false, "error": key}``.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from pika.spec import BasicProperties
from pymongo.errors import PyMongoError

from common import logs, metrics
from common.catalog import service_user
from common.config import load_config
from common.consumer import Consumer, PermanentError, amqp_options, run_consumer
from common.db import client_for, close_clients
from common.queues import AM_SYNC, InvalidMessage
from services.am.central import AttributeManager, ensure_indexes
from services.am.errors import AmMsg
from services.am.purge import purge_user
from services.am.schemas import ConfigSchema

logger = logging.getLogger(__name__)

#: How long the start waits for MongoDB before giving up (supervisord restarts us).
INDEX_WAIT = 60.0  # seconds


class AmConsumer(Consumer):
    """Consumes ``am.sync``: ``{"op": "sync" | "delete", ...}`` (``common.queues.AM_SYNC``).

    One message at a time per consumer (prefetch 1): the transactions are short, and a
    consumer that stops hands back at most one unacknowledged message. Any number of AM
    consumers may share the queue: a sync copies the private copy as it is when applied,
    and ``AttributeManager.sync`` never writes an older copy over a newer one, so the
    order in which consumers finish does not matter.
    """

    queue = AM_SYNC.name
    prefetch_count = 1

    def __init__(self, amqp_url: str, manager: AttributeManager, **options: Any) -> None:
        """``options``: ``Consumer``'s (queue_type, username, password)."""
        super().__init__(amqp_url, **options)
        self.manager = manager

    def handle(self, body: dict[str, Any], properties: BasicProperties) -> dict[str, Any] | None:
        """Apply one request; return None (the base replies ``{"ok": true}``).

        A refused request (not whitelisted, address in use, no such user) that a caller
        waits for is an answer, not a poison message: it is returned as
        ``{"ok": false, "error": key}`` and acknowledged. One that nobody waits for
        (no ``reply_to``), and any malformed message, raises PermanentError so that it
        is kept in ``am.sync.dead`` for a human. Anything else (MongoDB down, private
        copy not yet visible) raises to be retried."""
        op = body.get("op") if body.get("op") in ("sync", "delete") else "invalid"
        start = time.perf_counter()
        outcome = "failed"
        try:
            self.apply(body, properties)
            outcome = "ok"
        except PermanentError as exc:
            outcome = "refused"
            if properties.reply_to and exc.message != AmMsg.message_invalid:
                return {"ok": False, "error": str(exc.message)}
            raise
        finally:
            metrics.AM_SYNC_SECONDS.labels(op, outcome).observe(time.perf_counter() - start)
        return None

    def apply(self, body: dict[str, Any], properties: BasicProperties) -> None:
        """Validate and apply one request. Raises PermanentError (malformed or refused)."""
        try:
            request = AM_SYNC.load(body)
        except InvalidMessage as exc:
            logger.warning("message %s is malformed: %s", properties.message_id, exc.messages)
            raise PermanentError(AmMsg.message_invalid) from exc
        # The whitelist is per service, so the service must be the one that sent this:
        # RabbitMQ vouches for the sender's user (common.amqp), not for the body.
        sender = self.sender(properties)
        if sender != service_user(request["service"]):
            logger.warning("message %s names service %s but was sent by %s",
                           properties.message_id, request["service"], sender)
            raise PermanentError(AmMsg.sender_not_allowed)
        if request["op"] == "sync":
            self.manager.sync(request["service"], request["user_id"], request["attributes"], request["version"])
        else:
            if request["service"] in self.manager.delete_allowed:
                # Before the central delete: the central document names the addresses
                # whose codes are purged too. A refused service purges nothing.
                purge_user(self.manager.client, request["user_id"])
            self.manager.delete(request["service"], request["user_id"])


def prepare(manager: AttributeManager, wait: float = INDEX_WAIT) -> None:
    """Create the central indexes, waiting up to ``wait`` seconds for MongoDB.

    Raises the last ``PyMongoError`` when MongoDB stays unreachable."""
    deadline = time.monotonic() + wait
    while True:
        try:
            ensure_indexes(manager.users)
            return
        except PyMongoError as exc:
            if time.monotonic() > deadline:
                raise
            logger.warning("cannot create the central indexes yet: %s", exc)
            time.sleep(2)


def build(config: dict[str, Any]) -> AmConsumer:
    """The consumer for a loaded configuration (``ConfigSchema``), indexes ensured."""
    manager = AttributeManager(client_for(config), config["whitelist"],
                               config["create_allowed"], config["delete_allowed"],
                               config["credential_usage_only"])
    prepare(manager)
    return AmConsumer(config["amqp_url"], manager, **amqp_options(config))


def main() -> None:
    """Run the attribute manager until SIGTERM/SIGINT."""
    config = load_config("am", ConfigSchema)
    logs.configure("am", config["log_level"])
    metrics.serve_process_metrics()
    try:
        run_consumer(build(config))
    finally:
        close_clients()


if __name__ == "__main__":
    main()
