"""Queueing mail and SMS for the msg worker.

A job is a persistent AMQP message on ``msg.mail`` or ``msg.sms``::

    {"template": "signup_code", "to": "ada@example.org", "language": "sv",
     "context": {"code": "123456", "given_name": "Ada", "ttl_minutes": 10}}

Its ``message_id`` is the idempotency key: the worker sends a job with a given key once,
however often the broker delivers it. Publishing waits for the broker's confirm, so a
queued job survives a worker that is down; the request does not wait for the mail.
"""
from __future__ import annotations

from typing import Any, Mapping

from common.amqp import amqp

MAIL_QUEUE = "msg.mail"
SMS_QUEUE = "msg.sms"


def queue_mail(template: str, to: str, language: str, context: Mapping[str, Any],
               *, key: str | None = None) -> str:
    """Queue mail ``template`` to ``to`` in ``language``; return the idempotency key."""
    return amqp().publish(MAIL_QUEUE, {"template": template, "to": to, "language": language,
                                       "context": dict(context)}, message_id=key)


def queue_sms(template: str, to: str, language: str, context: Mapping[str, Any],
              *, key: str | None = None) -> str:
    """Queue SMS ``template`` to ``to`` (E.164) in ``language``; return the idempotency key."""
    return amqp().publish(SMS_QUEUE, {"template": template, "to": to, "language": language,
                                      "context": dict(context)}, message_id=key)
