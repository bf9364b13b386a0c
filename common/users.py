"""Users: read from the central database, changed through the attribute manager.

The central document (``tessera_central.users``, written only by the AM)::

    {_id: user_id, given_name, surname, display_name, language,
     emails: [{email, verified, primary, created, verified_at?}],
     phones: [{number, verified, primary, created, verified_at?}],
     credentials: [{credential_id, type: "password", hash, created, last_used}],
     tou: {version, accepted_at}, created, modified,
     verified_emails: [...], verified_phones: [...],      # derived by the AM, unique
     sync_versions: {<service>: version}}                # the private copy each came from

A service changes a user in two steps (ARCHITECTURE.md, "Data"): it writes the
attributes to its private copy ``<service db>.users`` under an optimistic lock on
``version``, then asks the AM over ``am.sync`` to copy them — only the attributes its
whitelist allows — into the central database, waiting at most ``am_sync_timeout``.

Failures are ``common.domain`` errors (``UserNotFound``, ``VersionConflict``,
``SyncRefused``, ``WeakPassword``), answered by ``common.errors``; whether a change is
applied or still queued is a return value (``update_user``), which the view turns into a
200 or a 202 (``common.api.applied_or_pending``). Reading and the pure helpers need no
Flask; ``sync_to_central`` and the password policy read the app's config, so they need an
app context (not a request).
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from flask import current_app
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from common.addresses import normalize_email
from common.amqp import amqp
from common.db import central_db, private_db
from common.domain import SyncRefused, UserNotFound, VersionConflict, WeakPassword
from common.passwords import hash_password, policy_problems
from common.queues import AM_SYNC

logger = logging.getLogger(__name__)


def new_user_id() -> str:
    """A new, random, opaque user id (128 bits, hex)."""
    return uuid.uuid4().hex


def now() -> datetime:
    """The current time, UTC, at millisecond precision (what MongoDB stores)."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def get_user(user_id: str, fields: Iterable[str] | None = None) -> dict[str, Any] | None:
    """The central document of ``user_id``, or None; with ``fields``, only those
    top-level fields (and ``_id``): a MongoDB projection, so a read that shows the user
    neither fetches nor decodes the credentials (issue 15)."""
    projection = None if fields is None else dict.fromkeys(fields, 1)
    return central_db().users.find_one({"_id": user_id}, projection)


def find_user_by_email(address: str) -> dict[str, Any] | None:
    """The user for whom ``address`` is a verified address, or None.

    The ``$type`` clause repeats the partial filter of the unique index on
    ``verified_emails`` (``services.am.central.ensure_indexes``): MongoDB uses a partial
    index only for a query that implies its filter, and equality alone does not — without
    it every login scanned the whole collection (issue 15; ``explain()``: COLLSCAN)."""
    return central_db().users.find_one({"$and": [{"verified_emails": normalize_email(address)},
                                                 {"verified_emails": {"$type": "string"}}]})


def require_user(user_id: str, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The central document of ``user_id`` (only ``fields`` when given, see ``get_user``).

    Raises ``UserNotFound`` when the account no longer exists (deleted while a session
    lived; answered 401 ``authn.required``)."""
    user = get_user(user_id, fields)
    if user is None:
        raise UserNotFound()
    return user


def primary_email(user: Mapping[str, Any]) -> str | None:
    """The user's primary address, or None."""
    return next((e["email"] for e in user.get("emails", []) if e.get("primary")), None)


def password_inputs(user: Mapping[str, Any]) -> list[str]:
    """The user's own words that make a password guessable: names and addresses
    (``user_inputs`` of ``common.passwords.policy_problems``; NIST SP 800-63B §5.1.1.2
    "context-specific words, such as the name of the service, the username")."""
    words = [user.get("given_name"), user.get("surname"), user.get("display_name")]
    words.extend(e.get("email") for e in user.get("emails", []))
    return [str(w) for w in words if w]


def with_new_password(credentials: Iterable[Mapping[str, Any]], password_hash: str) -> list[dict[str, Any]]:
    """``credentials`` with every ``password`` credential replaced by one new credential
    ``{credential_id (new, random), type: "password", hash: password_hash, created: now,
    last_used: None}``; credentials of other types are kept, in order."""
    kept = [dict(c) for c in credentials if c.get("type") != "password"]
    return kept + [{"credential_id": new_user_id(), "type": "password", "hash": password_hash,
                    "created": now(), "last_used": None}]


def new_password_credentials(user: Mapping[str, Any], password: str, weak_password_key: str
                             ) -> list[dict[str, Any]]:
    """``user``'s credentials with the password replaced by an argon2id hash of ``password``
    (``with_new_password``; OWASP Password Storage Cheat Sheet), to be saved with
    ``update_user(user_id, {"credentials": ...})``.

    Raises ``WeakPassword`` (key ``weak_password_key``, e.g. ``security.weak_password``;
    field ``password``; reasons = the policy's keys, ``password.too_short`` …; answered 400)
    when the password breaks the policy, judged with the user's own names and addresses
    (NIST SP 800-63B §5.1.1.2). Needs an app context (the policy and argon2 cost).
    """
    config = current_app.config["TESSERA"]
    problems = policy_problems(password, config["password_policy"], password_inputs(user))
    if problems:
        raise WeakPassword(weak_password_key, field="password", reasons=problems)
    return with_new_password(user.get("credentials", []), hash_password(password, config["argon2"]))


def save_private(user_id: str, attributes: Mapping[str, Any]) -> int:
    """Write ``attributes`` into this service's private copy of ``user_id`` (made if
    missing) and return its new ``version``.

    One atomic ``findAndModify``: ``$set`` the attributes, ``$inc`` the version. MongoDB
    applies concurrent writes to one document one after the other, so each writer gets a
    version of its own and the AM, which copies the private copy as it is when it
    applies a sync and never over a newer one, ends with the last write. (It was a read
    of the version and an update conditional on it: two round trips per write, issue 15,
    whose only guard was the gap between the two.) ``VersionConflict`` (409
    ``request.conflict``) remains for two first writes of a copy racing to create it,
    should MongoDB not retry that upsert itself.
    """
    try:
        saved = private_db().users.find_one_and_update(
            {"_id": user_id}, {"$set": {**attributes, "modified": now()}, "$inc": {"version": 1}},
            projection={"_id": 0, "version": 1}, upsert=True, return_document=ReturnDocument.AFTER)
    except DuplicateKeyError as exc:
        raise VersionConflict() from exc
    return saved["version"]


def sync_to_central(user_id: str, attributes: Iterable[str], version: int, *, wait: bool = True) -> bool:
    """Ask the AM to copy ``attributes`` of ``user_id`` from this service's private copy.

    With ``wait`` the call blocks up to ``am_sync_timeout`` seconds: True when the central
    database has the change, False on time-out (the change is queued and will appear).
    Without ``wait`` it only queues the request and returns False.
    Raises ``SyncRefused`` with the AM's message key (e.g. ``emails.in_use``) when the AM
    refuses the change (answered 409).
    """
    body = {"op": "sync", "service": current_app.extensions["tessera"].name, "user_id": user_id,
            "attributes": sorted(attributes), "version": version}
    if not wait:
        AM_SYNC.publish(amqp(), body)
        return False
    reply = AM_SYNC.call(amqp(), body, timeout=current_app.config["TESSERA"]["am_sync_timeout"])
    if reply is None:
        logger.warning("am.sync of %s for %s timed out; it stays queued", sorted(attributes), user_id)
        return False
    if not reply.get("ok"):
        raise SyncRefused(reply.get("error"))
    return True


def update_user(user_id: str, attributes: Mapping[str, Any]) -> bool:
    """``save_private`` then ``sync_to_central`` (waiting). True when applied centrally,
    False when the AM has not answered in time (the change is queued: a 202, see
    ``common.api.applied_or_pending``). Raises ``VersionConflict``, ``SyncRefused``."""
    version = save_private(user_id, attributes)
    return sync_to_central(user_id, attributes.keys(), version)


def request_delete(user_id: str) -> bool:
    """Ask the AM to remove ``user_id`` from the central database (waits like a sync):
    True when done, False on time-out. Raises ``SyncRefused`` when the AM refuses."""
    body = {"op": "delete", "service": current_app.extensions["tessera"].name, "user_id": user_id}
    reply = AM_SYNC.call(amqp(), body, timeout=current_app.config["TESSERA"]["am_sync_timeout"])
    if reply is None:
        return False
    if not reply.get("ok"):
        raise SyncRefused(reply.get("error"))
    return True


def forget_private(user_id: str) -> None:
    """Delete this service's private copy of ``user_id`` (account termination)."""
    private_db().users.delete_one({"_id": user_id})

