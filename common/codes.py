"""Verification codes: the numbers mailed or sent by SMS to prove an address or number.

Rules (API.md; NIST SP 800-63B §5.1.3 for out-of-band secrets):

* ``length`` digits (6 by default) from ``secrets``; only an HMAC of the code is stored;
* single use: a code that matched is deleted;
* they expire after ``ttl`` seconds (checked on use; a TTL index also removes them);
* after ``max_attempts`` wrong tries the code is locked until a new one is sent;
* a new code is sent at most every ``resend_interval`` seconds and at most ``max_sends``
  times per ``ttl``, so guessing stays bounded (5 tries × 5 sends in 10 minutes).

A code belongs to a ``purpose`` (``signup``, ``email``, ``phone``, ``reset``), an ``owner``
(a user id, or a flow id kept in the session before there is an account) and a
``subject`` (the normalised address or number). Message keys are prefixed with the
service's name, e.g. ``emails.code_invalid``.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Flask, current_app
from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database

from common.db import private_db
from common.errors import ApiError

COLLECTION = "verification_codes"


def init_indexes(database: Database) -> None:
    """Create the code collection's indexes: one code per (purpose, owner, subject), TTL."""
    codes = database[COLLECTION]
    codes.create_index([("purpose", ASCENDING), ("owner", ASCENDING), ("subject", ASCENDING)], unique=True)
    codes.create_index("expires_at", expireAfterSeconds=0)


def index_hook(app: Flask) -> None:
    """An ``init_hooks`` entry for ``create_app``: ``init_indexes`` on the app's own database."""
    init_indexes(app.extensions["tessera.mongo"].private)


def _rules() -> dict[str, int]:
    return current_app.config["TESSERA"]["verification_code"]


def _prefix() -> str:
    return current_app.extensions["tessera"].name


def _digest(purpose: str, subject: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}\0{subject}\0{code}".encode(), hashlib.sha256).hexdigest()


def _codes() -> Collection:
    return private_db()[COLLECTION]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def new_code(length: int) -> str:
    """``length`` random digits (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** length):0{length}d}"


def _resend_wait(record: dict[str, Any], rules: dict[str, int], now: datetime) -> int:
    """Whole seconds until a new code may be sent for ``record``'s subject (0 = now)."""
    wait = rules["resend_interval"] - (now - record["sent_at"]).total_seconds()
    if record["sends"] >= rules["max_sends"] and record["window_ends"] > now:
        wait = max(wait, (record["window_ends"] - now).total_seconds())
    return int(wait) + 1 if wait > 0 else 0


def issue_code(purpose: str, owner: str, subject: str) -> str:
    """Make a new code for (purpose, owner, subject) and return it, to be sent.

    Raises ApiError 429 ``<service>.code_throttled`` with ``Retry-After`` when the last code
    was sent less than ``resend_interval`` s ago or ``max_sends`` were sent within ``ttl``.
    """
    rules = _rules()
    now = _now()
    existing = _codes().find_one({"purpose": purpose, "owner": owner, "subject": subject})
    sends = 1
    if existing is not None and existing["expires_at"] > now:
        wait = _resend_wait(existing, rules, now)
        if wait > 0:
            raise ApiError(f"{_prefix()}.code_throttled", 429, headers={"Retry-After": str(wait)})
        # a new window starts once the old one is over
        sends = existing["sends"] + 1 if existing["window_ends"] > now else 1
    code = new_code(rules["length"])
    window_ends = (existing["window_ends"] if existing is not None and sends > 1
                   else now + timedelta(seconds=rules["ttl"]))
    _codes().update_one(
        {"purpose": purpose, "owner": owner, "subject": subject},
        {"$set": {"code_hash": _digest(purpose, subject, code), "attempts": 0, "sent_at": now,
                  "sends": sends, "window_ends": window_ends,
                  "expires_at": now + timedelta(seconds=rules["ttl"])}},
        upsert=True,
    )
    return code


def has_code(purpose: str, owner: str, subject: str) -> bool:
    """Whether an unexpired code is pending for (purpose, owner, subject)."""
    found = _codes().find_one({"purpose": purpose, "owner": owner, "subject": subject})
    return found is not None and found["expires_at"] > _now()


def verify_code(purpose: str, owner: str, subject: str, code: str) -> None:
    """Check ``code``; on success the code is used up.

    Raises ApiError 400 ``<service>.code_invalid`` (wrong code; ``attempts_left`` in the
    payload), 400 ``<service>.code_expired`` (none pending, or too old), 429
    ``<service>.code_locked`` (``max_attempts`` wrong tries: ask for a new code; its
    ``Retry-After`` says when one may be sent).
    """
    rules = _rules()
    query: dict[str, Any] = {"purpose": purpose, "owner": owner, "subject": subject}
    # Count the try first, atomically, so parallel guesses cannot exceed the limit.
    record = _codes().find_one_and_update(query, {"$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER)
    if record is None or record["expires_at"] <= _now():
        raise ApiError(f"{_prefix()}.code_expired", 400)
    if record["attempts"] > rules["max_attempts"]:
        raise _locked(record, rules)
    if not hmac.compare_digest(record["code_hash"], _digest(purpose, subject, code)):
        left = rules["max_attempts"] - record["attempts"]
        if left <= 0:
            raise _locked(record, rules)
        raise ApiError(f"{_prefix()}.code_invalid", 400, extra={"attempts_left": left},
                       errors={"code": [f"{_prefix()}.code_invalid"]})
    # single use: only the request that deletes it wins
    if _codes().delete_one({"_id": record["_id"], "code_hash": record["code_hash"]}).deleted_count != 1:
        raise ApiError(f"{_prefix()}.code_expired", 400)


def _locked(record: dict[str, Any], rules: dict[str, int]) -> ApiError:
    # API.md: every 429 carries Retry-After; here it is when a new code may be asked for.
    wait = max(1, _resend_wait(record, rules, _now()))
    return ApiError(f"{_prefix()}.code_locked", 429, headers={"Retry-After": str(wait)})


def discard_code(purpose: str, owner: str, subject: str) -> None:
    """Forget the pending code of (purpose, owner, subject), if any (address removed)."""
    _codes().delete_one({"purpose": purpose, "owner": owner, "subject": subject})


def discard_codes(owner: str) -> None:
    """Forget every pending code of ``owner`` (account deleted, flow abandoned)."""
    _codes().delete_many({"owner": owner})
