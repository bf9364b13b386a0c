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
``subject`` (the normalised address or number).

Failures are ``common.domain`` errors (``CodeThrottled``, ``CodeExpired``, ``CodeInvalid``,
``CodeLocked``) carrying a member of the caller's own message Enum (``msgs``, e.g.
``EmailsMsg.code_invalid``), so every key is a literal member of a service's ``@unique``
Enum; ``common.errors`` answers them (400/429 with ``Retry-After``).

The rules themselves are pure functions of a code record, the ``CodeRules`` and the time
(``resend_wait``, ``next_window``, ``check_attempt``, ``digest``): unit-tested without a
database; ``issue_code``/``verify_code`` apply them to the service's own MongoDB.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Protocol

from flask import Flask, current_app
from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database

from common.db import private_db
from common.domain import CodeExpired, CodeInvalid, CodeLocked, CodeThrottled
from common.messages import TranslatableMsg

COLLECTION = "verification_codes"


class CodeMsgs(Protocol):
    """The members a service's message Enum needs to answer for its codes
    (``EmailsMsg``, ``SignupMsg`` …): ``<service>.code_invalid`` and the like."""

    code_invalid: TranslatableMsg
    code_expired: TranslatableMsg
    code_locked: TranslatableMsg
    code_throttled: TranslatableMsg


@dataclass(frozen=True)
class CodeRules:
    """The ``verification_code`` config: ``length`` digits; a code lives ``ttl`` s; it
    locks after ``max_attempts`` wrong tries; a new one is sent at most every
    ``resend_interval`` s and at most ``max_sends`` times per window of ``ttl`` s."""

    length: int
    ttl: int
    max_attempts: int
    resend_interval: int
    max_sends: int

    @classmethod
    def of(cls, config: Mapping[str, int]) -> CodeRules:
        """The rules of a ``verification_code`` config mapping (extra keys ignored)."""
        return cls(**{f.name: config[f.name] for f in dataclasses.fields(cls)})


def init_indexes(database: Database) -> None:
    """Create the code collection's indexes: one code per (purpose, owner, subject), TTL."""
    codes = database[COLLECTION]
    codes.create_index([("purpose", ASCENDING), ("owner", ASCENDING), ("subject", ASCENDING)], unique=True)
    codes.create_index("expires_at", expireAfterSeconds=0)


def index_hook(app: Flask) -> None:
    """An ``init_hooks`` entry for ``create_app``: ``init_indexes`` on the app's own database."""
    init_indexes(app.extensions["tessera.mongo"].private)


# -- the rules: pure functions ------------------------------------------------------------
def new_code(length: int) -> str:
    """``length`` random digits from ``secrets`` (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** length):0{length}d}"


def digest(secret: bytes, purpose: str, subject: str, code: str) -> str:
    """HMAC-SHA256 (hex) of the code under ``secret``, bound to its purpose and subject:
    only this is stored, so a database dump reveals no usable code (NIST SP 800-63B §5.1.3
    asks the verifier to protect out-of-band secrets), and a code cannot be replayed for
    another purpose or address."""
    return hmac.new(secret, f"{purpose}\0{subject}\0{code}".encode(), hashlib.sha256).hexdigest()


def resend_wait(record: Mapping[str, Any], rules: CodeRules, now: datetime) -> int:
    """Whole seconds (rounded up) until a new code may be sent for ``record``'s subject,
    0 = now: ``resend_interval`` after the last send, and once ``max_sends`` were sent,
    not before the send window (``window_ends``) is over."""
    wait = rules.resend_interval - (now - record["sent_at"]).total_seconds()
    if record["sends"] >= rules.max_sends and record["window_ends"] > now:
        wait = max(wait, (record["window_ends"] - now).total_seconds())
    return int(wait) + 1 if wait > 0 else 0


def next_window(existing: Mapping[str, Any] | None, rules: CodeRules, now: datetime,
                msgs: CodeMsgs) -> tuple[int, datetime]:
    """``(sends, window_ends)`` for a new code, given the ``existing`` record (or None):
    the send count within the current window and when that window ends. An expired record
    counts as none, and a new window starts once the old one is over.

    Raises ``CodeThrottled`` (``msgs.code_throttled``, ``retry_after`` s) when a new code
    may not be sent yet (``resend_wait``)."""
    if existing is None or existing["expires_at"] <= now:
        return 1, now + timedelta(seconds=rules.ttl)
    wait = resend_wait(existing, rules, now)
    if wait > 0:
        raise CodeThrottled(msgs.code_throttled, retry_after=wait)
    if existing["window_ends"] > now:
        return existing["sends"] + 1, existing["window_ends"]
    return 1, now + timedelta(seconds=rules.ttl)


def check_attempt(record: Mapping[str, Any] | None, code_hash: str, rules: CodeRules, now: datetime,
                  msgs: CodeMsgs) -> Mapping[str, Any]:
    """Judge one try of a code whose hash is ``code_hash`` against ``record`` as it is
    after this try was counted (``attempts`` already incremented), or None when no code
    is pending. Returns ``record`` when the code matches.

    Raises ``CodeExpired`` (none pending, or past ``expires_at``); ``CodeLocked``
    (``retry_after``: when a new code may be sent, at least 1 s) once ``max_attempts``
    wrong tries were made, even for the right code; ``CodeInvalid`` (field ``code``,
    ``details.attempts_left``) for a wrong code with tries left.
    """
    if record is None or record["expires_at"] <= now:
        raise CodeExpired(msgs.code_expired)
    if record["attempts"] > rules.max_attempts:
        raise _locked(record, rules, now, msgs)
    if not hmac.compare_digest(record["code_hash"], code_hash):
        left = rules.max_attempts - record["attempts"]
        if left <= 0:
            raise _locked(record, rules, now, msgs)
        raise CodeInvalid(msgs.code_invalid, field="code", details={"attempts_left": left})
    return record


def _locked(record: Mapping[str, Any], rules: CodeRules, now: datetime, msgs: CodeMsgs) -> CodeLocked:
    # API.md: every 429 carries Retry-After; here it is when a new code may be asked for.
    return CodeLocked(msgs.code_locked, retry_after=max(1, resend_wait(record, rules, now)))


# -- applied to the service's database ------------------------------------------------------
def _rules() -> CodeRules:
    return CodeRules.of(current_app.config["TESSERA"]["verification_code"])


def _digest(purpose: str, subject: str, code: str) -> str:
    return digest(current_app.config["SECRET_KEY"].encode(), purpose, subject, code)


def _codes() -> Collection:
    return private_db()[COLLECTION]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def issue_code(purpose: str, owner: str, subject: str, *, msgs: CodeMsgs) -> str:
    """Make a new code for (purpose, owner, subject) and return it, to be sent.

    Raises ``CodeThrottled`` (``msgs.code_throttled``; answered 429 with ``Retry-After``)
    when the last code was sent less than ``resend_interval`` s ago or ``max_sends`` were
    sent within ``ttl``.
    """
    rules = _rules()
    now = _now()
    query = {"purpose": purpose, "owner": owner, "subject": subject}
    sends, window_ends = next_window(_codes().find_one(query), rules, now, msgs)
    code = new_code(rules.length)
    _codes().update_one(
        query,
        {"$set": {"code_hash": _digest(purpose, subject, code), "attempts": 0, "sent_at": now,
                  "sends": sends, "window_ends": window_ends,
                  "expires_at": now + timedelta(seconds=rules.ttl)}},
        upsert=True,
    )
    return code


def wait_before_resend(purpose: str, owner: str, subject: str) -> int:
    """Whole seconds until a new code may be issued for (purpose, owner, subject) —
    what ``issue_code`` would answer as ``Retry-After`` now; 0 when it may be now (none
    pending, or expired). Lets a page disable its "send a new code" until then."""
    found = _codes().find_one({"purpose": purpose, "owner": owner, "subject": subject})
    now = _now()
    if found is None or found["expires_at"] <= now:
        return 0
    return resend_wait(found, _rules(), now)


def has_code(purpose: str, owner: str, subject: str) -> bool:
    """Whether an unexpired code is pending for (purpose, owner, subject)."""
    found = _codes().find_one({"purpose": purpose, "owner": owner, "subject": subject})
    return found is not None and found["expires_at"] > _now()


def verify_code(purpose: str, owner: str, subject: str, code: str, *, msgs: CodeMsgs) -> None:
    """Check ``code``; on success the code is used up.

    Raises the errors of ``check_attempt`` with ``msgs``' keys: ``CodeInvalid`` (400,
    ``attempts_left`` in the payload), ``CodeExpired`` (400; also when a parallel request
    used the code first), ``CodeLocked`` (429 with ``Retry-After``).
    """
    query: dict[str, Any] = {"purpose": purpose, "owner": owner, "subject": subject}
    # Count the try first, atomically, so parallel guesses cannot exceed the limit.
    record = _codes().find_one_and_update(query, {"$inc": {"attempts": 1}}, return_document=ReturnDocument.AFTER)
    record = check_attempt(record, _digest(purpose, subject, code), _rules(), _now(), msgs)
    # single use: only the request that deletes it wins
    if _codes().delete_one({"_id": record["_id"], "code_hash": record["code_hash"]}).deleted_count != 1:
        raise CodeExpired(msgs.code_expired)


def discard_code(purpose: str, owner: str, subject: str) -> None:
    """Forget the pending code of (purpose, owner, subject), if any (address removed)."""
    _codes().delete_one({"purpose": purpose, "owner": owner, "subject": subject})


def discard_codes(owner: str) -> None:
    """Forget every pending code of ``owner`` (account deleted, flow abandoned)."""
    _codes().delete_many({"owner": owner})
