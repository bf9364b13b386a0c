"""Queueing mail and SMS for the msg worker.

A job is a persistent AMQP message on ``msg.mail`` or ``msg.sms``::

    {"template": "signup_code", "to": "ada@example.org", "language": "sv",
     "context": {"code": "123456", "given_name": "Ada", "ttl_minutes": 10}}

(schemas: ``common.queues.MAIL`` and ``SMS``, validated here before anything is queued).
Its ``message_id`` is the idempotency key: the worker sends a job with a given key once,
however often the broker delivers it. Publishing waits for the broker's confirm, so a
queued job survives a worker that is down; the request does not wait for the mail.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from flask import current_app

from common.amqp import amqp
from common.queues import MAIL, SMS
from common.users import primary_email

logger = logging.getLogger(__name__)


def user_language(user: Mapping[str, Any]) -> str:
    """The language to write to ``user`` in: theirs, else ``default_language``."""
    return user.get("language") or current_app.config["TESSERA"]["default_language"]


def queue_mail(template: str, to: str, language: str, context: Mapping[str, Any],
               *, key: str | None = None) -> str:
    """Queue mail ``template`` to ``to`` in ``language``; return the idempotency key.
    Raises ``common.queues.InvalidMessage`` (nothing queued) for a job ``MAIL`` refuses."""
    return MAIL.publish(amqp(), {"template": template, "to": to, "language": language,
                                 "context": dict(context)}, message_id=key)


def queue_sms(template: str, to: str, language: str, context: Mapping[str, Any],
              *, key: str | None = None) -> str:
    """Queue SMS ``template`` to ``to`` (E.164) in ``language``; return the idempotency key.
    Raises ``common.queues.InvalidMessage`` (nothing queued) for a job ``SMS`` refuses."""
    return SMS.publish(amqp(), {"template": template, "to": to, "language": language,
                                "context": dict(context)}, message_id=key)


def mail_user(user: Mapping[str, Any], template: str, context: Mapping[str, Any] | None = None) -> str | None:
    """Queue mail ``template`` to ``user``'s primary address in the user's ``language``
    (else ``default_language``), with ``given_name`` added to ``context``.

    Returns the idempotency key, or None (logged) when the user has no primary address.
    """
    address = primary_email(user)
    if address is None:
        logger.warning("user %s has no primary address; %s not sent", user.get("_id"), template)
        return None
    return queue_mail(template, address, user_language(user), {"given_name": user.get("given_name", ""), **(context or {})})
