"""One contract per queue: each work queue's name and the schema of its messages.

Both sides use the same ``Queue``: the publisher validates what it sends (``publish``,
``call``), so a malformed job fails in the request that made it, before anything is
queued, and the consumer validates what it receives (``load``) with the same schema,
since a message on the broker may come from anyone allowed to publish there.

* ``am.sync`` (``AM_SYNC``): RPC requests to the attribute manager, ``{"op": "sync", ...}``
  or ``{"op": "delete", ...}``; the reply is ``{"ok": true}`` or ``{"ok": false,
  "error": <message key>}`` (``services.am.worker``).
* ``msg.mail`` (``MAIL``) and ``msg.sms`` (``SMS``): jobs for the msg worker, whose
  ``message_id`` is the idempotency key (``services.msg.worker``).

The queues themselves (with ``.retry`` and ``.dead``) are declared by the broker's
definitions from ``WORK_QUEUES``; ``common.amqp`` carries the messages.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Mapping

from marshmallow import RAISE, Schema, ValidationError, fields, validate

if TYPE_CHECKING:
    from common.amqp import AmqpClient

#: an E.164 telephone number (ITU-T E.164: "+", country code, at most 15 digits)
E164 = r"\A\+[1-9][0-9]{6,14}\Z"


class _Message(Schema):
    class Meta:
        unknown = RAISE


# -- am.sync --------------------------------------------------------------------------
class SyncMessage(_Message):
    """``{"op": "sync", "service", "user_id", "attributes": [...], "version"}``: copy
    ``attributes`` of ``user_id`` from ``service``'s private copy (at least at ``version``)."""

    op = fields.String(required=True, validate=validate.Equal("sync"))
    service = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    attributes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), required=True,
                             validate=validate.Length(min=1))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class DeleteMessage(_Message):
    """``{"op": "delete", "service", "user_id"}``: remove ``user_id`` everywhere."""

    op = fields.String(required=True, validate=validate.Equal("delete"))
    service = fields.String(required=True, validate=validate.Length(min=1, max=64))
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


# -- msg.mail, msg.sms ------------------------------------------------------------------
class _Job(_Message):
    template = fields.String(required=True, validate=validate.Regexp(r"\A[a-z][a-z0-9_]{0,63}\Z"))
    language = fields.String(load_default=None, allow_none=True)
    context = fields.Dict(keys=fields.String(), required=True)


class MailJob(_Job):
    """``msg.mail``: ``{"template", "to": <address>, "language"?, "context": {...}}``."""

    to = fields.Email(required=True, validate=validate.Length(max=254))


class SmsJob(_Job):
    """``msg.sms``: ``{"template", "to": <E.164 number>, "language"?, "context": {...}}``."""

    to = fields.String(required=True, validate=validate.Regexp(E164, error="Not an E.164 number."))


class InvalidMessage(ValueError):
    """A message does not match its queue's schema. ``messages``: marshmallow's
    field → errors. At the publisher this is a defect of the caller (nothing was queued)."""

    def __init__(self, queue: str, messages: Any) -> None:
        super().__init__(f"invalid message for {queue}: {messages}")
        self.queue = queue
        self.messages = messages


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema class, made once: ``Schema()`` deep-copies every declared
    field, which made a load of an ``am.sync`` message cost 1.3 ms instead of 0.3 ms of
    CPU (timeit), paid twice per sync — by the service that sends it and by the AM
    (issue 15). A marshmallow 4 schema keeps no state between ``load`` calls, so one
    instance serves every message and thread."""
    return schema()


@dataclass(frozen=True)
class Queue:
    """A work queue's contract: its ``name`` and its message schemas.

    ``schemas`` maps the value of the ``kind`` field (``op`` on ``am.sync``) to the
    schema of that kind of message; a queue with one kind of message has ``kind`` None
    and one schema under ``""``.
    """

    name: str
    schemas: Mapping[str, type[Schema]] = field(default_factory=dict)
    kind: str | None = None

    def load(self, body: Any) -> dict[str, Any]:
        """``body`` validated (and loaded: defaults filled in) by its schema.

        Raises InvalidMessage when it is not an object, names no known kind, or
        does not match."""
        if not isinstance(body, Mapping):
            raise InvalidMessage(self.name, {"_schema": ["Not an object."]})
        choice = body.get(self.kind) if self.kind else ""
        schema = self.schemas.get(choice) if isinstance(choice, str) else None
        if schema is None:
            raise InvalidMessage(self.name, {self.kind: [f"Must be one of: {', '.join(self.schemas)}."]})
        try:
            return _instance(schema).load(body)
        except ValidationError as exc:
            raise InvalidMessage(self.name, exc.messages) from exc

    def publish(self, client: AmqpClient, body: Mapping[str, Any], *, message_id: str | None = None) -> str:
        """Validate ``body``, then publish it (``AmqpClient.publish``); return the
        message id. Raises InvalidMessage (nothing queued) or the client's errors."""
        self.load(body)
        return client.publish(self.name, body, message_id=message_id)

    def call(self, client: AmqpClient, body: Mapping[str, Any], *, timeout: float) -> dict[str, Any] | None:
        """Validate ``body``, then make the RPC (``AmqpClient.call``, at most ``timeout``
        seconds); the reply, or None on time-out. Raises InvalidMessage (nothing queued)."""
        self.load(body)
        return client.call(self.name, body, timeout=timeout)


AM_SYNC = Queue("am.sync", {"sync": SyncMessage, "delete": DeleteMessage}, kind="op")
MAIL = Queue("msg.mail", {"": MailJob})
SMS = Queue("msg.sms", {"": SmsJob})

#: every work queue of the platform (the broker's definitions declare each one with its
#: ``.retry`` and ``.dead``; ``common.amqp.queue_specs``)
WORK_QUEUES: tuple[str, ...] = (AM_SYNC.name, MAIL.name, SMS.name)
