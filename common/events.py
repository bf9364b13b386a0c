"""The security event log: one append-only record per security-relevant action.

Every service records its events with one call, ``record(EventType.login, user_id,
{...})``; the client address (``X-Real-IP`` from nginx) and the User-Agent come from
the request. The records go to ``tessera_events.events`` (``EVENTS_DB``.``COLLECTION``)
as ``{_id: ObjectId, user_id, type, at (UTC), ip, user_agent, service, details}``.

Append-only is enforced by MongoDB, not only by this module: the services' role on the
collection allows ``insert`` and nothing else (``provision.mongo_users``); only
``security`` may read, and it shows a user their own events. A TTL index keeps each
event one year (``RETENTION_SECONDS``; ``provision.mongo_users.ensure_events_collection``
creates it, since the services may not).

Recording never fails the user's action: the action has happened when it is recorded,
so a MongoDB that refuses or is down is logged and the answer goes out as it would
have (OWASP Logging Cheat Sheet: logging must not break the application).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from enum import unique
from typing import Any, Iterator, Mapping

import pymongo.errors
from flask import current_app, has_request_context, request

from common.catalog import EVENTS_COLLECTION as COLLECTION
from common.catalog import EVENTS_DB
from common.catalog import EVENTS_RETENTION_SECONDS as RETENTION_SECONDS  # noqa: F401 (named here for readers)
from common.db import mongo
from common.errors import ApiError
from common.messages import MessageKey
from common.throttle import client_address

logger = logging.getLogger(__name__)

#: a User-Agent longer than this is cut (nginx bounds headers, this bounds the records)
MAX_USER_AGENT = 512


@unique
class EventType(MessageKey):
    """The security event types of API.md (*security*, ``GET /events``): what the log
    stores and the API shows (data, not message keys: the SPA words each type itself)."""

    login = "login"
    login_failed = "login_failed"
    mfa_failed = "mfa_failed"
    logout = "logout"
    password_changed = "password_changed"
    password_reset = "password_reset"
    email_added = "email_added"
    email_verified = "email_verified"
    email_removed = "email_removed"
    primary_email_changed = "primary_email_changed"
    phone_added = "phone_added"
    phone_verified = "phone_verified"
    phone_removed = "phone_removed"
    credential_added = "credential_added"
    credential_removed = "credential_removed"
    recovery_codes_generated = "recovery_codes_generated"
    session_revoked = "session_revoked"
    consent_granted = "consent_granted"
    consent_revoked = "consent_revoked"
    data_exported = "data_exported"
    #: a login from a browser not known for the account (``common.known_devices``)
    new_device_login = "new_device_login"
    #: the user forgot a known browser: its next login alerts again
    device_forgotten = "device_forgotten"


def events_collection():
    """The events collection as the current service's MongoDB user sees it (insert only,
    except for ``security``, which may also read)."""
    return mongo().client[EVENTS_DB][COLLECTION]


def record(event_type: EventType | str, user_id: str, details: Mapping[str, Any] | None = None) -> None:
    """Append a ``event_type`` event of ``user_id`` with ``details`` (a small dict of plain
    values: an address, a credential's name — never a secret, code or hash).

    The request's client address and User-Agent are taken when there is a request.
    Never raises for a MongoDB failure (logged at ERROR and dropped); raises ValueError
    for a type that is not an ``EventType`` (a defect in the caller).
    """
    kind = EventType(str(event_type))
    document: dict[str, Any] = {
        "user_id": user_id, "type": kind.value, "at": datetime.now(timezone.utc),
        "ip": None, "user_agent": None,
        "service": current_app.extensions["tessera"].name, "details": dict(details or {}),
    }
    if has_request_context():
        document["ip"] = client_address()
        document["user_agent"] = (request.headers.get("User-Agent") or "")[:MAX_USER_AGENT] or None
    batched = _BATCH.get()
    if batched is not None:
        batched.append(document)
    else:
        _insert([document])


def _insert(documents: list[dict[str, Any]]) -> None:
    """Append ``documents`` (in order, one round trip); a MongoDB failure is logged."""
    try:
        events_collection().insert_many(documents, ordered=True)
    except pymongo.errors.PyMongoError as exc:
        logger.error("security events %s of %s not recorded: %s", ", ".join(d["type"] for d in documents),
                     documents[0]["user_id"], exc)


#: the documents of the open ``batch()`` (None: none open, each record is written at once)
_BATCH: ContextVar[list[dict[str, Any]] | None] = ContextVar("tessera_event_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Write the events recorded in the block together when it ends — also when it raises
    (they happened) — in one insert: a login from a new browser records ``login`` and
    ``new_device_login``, one round trip instead of two (issue 15). The records keep
    their own ``at``; a MongoDB failure is logged as for ``record``."""
    documents: list[dict[str, Any]] = []
    token = _BATCH.set(documents)
    try:
        yield
    finally:
        _BATCH.reset(token)
        if documents:
            _insert(documents)


@contextmanager
def recorded_on_failure(event_type: EventType, user_id: str | None,
                        details: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Run the block; when it raises an ``ApiError`` (a wrong password or code), record
    ``event_type`` for ``user_id`` (nothing when it is None: no account to tell) and
    re-raise it unchanged."""
    try:
        yield
    except ApiError:
        if user_id is not None:
            record(event_type, user_id, details)
        raise
