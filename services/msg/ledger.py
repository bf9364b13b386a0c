"""The idempotency ledger: one record per job in ``tessera_msg.sent``.

A job is sent at most once per idempotency key (the AMQP ``message_id``) — except in
one window that no worker can close: between the provider accepting a message and the
ledger recording it. The protocol:

1. ``claim``: atomically mark the key ``sending`` (owner, lease) — or learn that it is
   already ``sent`` (``SKIP``: acknowledge without sending), or that a live worker
   holds it (``Leased``: retry later);
2. send;
3. ``mark_sent`` the moment the provider has accepted it. After a failed send,
   ``release`` marks the key ``failed`` so that a retry may claim it.

A worker killed between the provider's acceptance and 3 leaves the key ``sending``.
Its successor takes the claim over (``RESEND``, and the record is flagged ``resent``)
and cannot know whether the job left: where the provider can tell (the file SMS
outbox), it asks; otherwise (SMTP) it sends again, with the same ``Message-ID`` so
that the receiver can recognise the copy. That window — at-least-once — is one
MongoDB round trip long. To avoid waiting for the lease after a crash on the same
host, a claim held by a process that no longer exists (``host:pid`` in the owner) is
taken over at once. Records expire ``ttl`` seconds after creation (TTL index).
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, timezone

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

logger = logging.getLogger(__name__)

SENDING, SENT, FAILED = "sending", "sent", "failed"

#: What ``claim`` says: send it; send it although an earlier attempt may have left; skip it.
SEND, RESEND, SKIP = "send", "resend", "skip"


class Leased(Exception):
    """Another live worker is sending this job right now: try again later."""


def _now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def process_owner() -> str:
    """An owner id for this process: ``<host>:<pid>:<random>``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` (see ``process_owner``) was a process of this host that no
    longer runs, or an earlier process that had our pid (a restarted container)."""
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True  # the caller has checked that it is not ourselves
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class SentLedger:
    """The records of ``collection`` (``tessera_msg.sent``) for one worker process.

    Every method raises ``pymongo.errors.PyMongoError`` when MongoDB fails.
    """

    def __init__(self, collection: Collection, ttl: int, owner: str | None = None) -> None:
        self.collection = collection
        self.ttl = ttl
        self.owner = owner or process_owner()

    def ensure_indexes(self) -> None:
        """A unique index on ``key`` and a TTL index (``ttl`` seconds) on ``created``."""
        self.collection.create_index("key", name="key_unique", unique=True)
        self.collection.create_index("created", name="created_ttl", expireAfterSeconds=self.ttl)

    def claim(self, key: str, lease: float) -> str:
        """Claim ``key`` for sending for ``lease`` seconds.

        ``SEND``: a first try, or a retry after a failed one. ``RESEND``: taken over from
        a worker that died or overran its lease mid-send (logged, flagged ``resent``).
        ``SKIP``: it has been sent; acknowledge without sending.
        Raises ``Leased`` while another live worker holds the claim.
        """
        now = _now()
        claim = {"$set": {"state": SENDING, "owner": self.owner, "claimed_at": now,
                          "lease_until": now + timedelta(seconds=lease)},
                 "$setOnInsert": {"created": now}}
        claimable = {"key": key, "state": {"$ne": SENT},
                     "$or": [{"state": FAILED}, {"owner": self.owner}, {"lease_until": {"$lte": now}}]}
        try:
            before = self.collection.find_one_and_update(claimable, claim, upsert=True,
                                                          return_document=ReturnDocument.BEFORE)
        except DuplicateKeyError:
            before = None
            record = self.collection.find_one({"key": key})
            if record is None:  # vanished (TTL) between the two reads: claim anew
                return self.claim(key, lease)
            if record["state"] == SENT:
                return SKIP
            if not owner_is_gone(record.get("owner", "")):
                raise Leased(f"{key} is being sent by {record.get('owner')}") from None
            before = self.collection.find_one_and_update(
                {"key": key, "state": SENDING, "owner": record["owner"]}, claim,
                return_document=ReturnDocument.BEFORE)
            if before is None:  # someone else took it over first
                raise Leased(f"{key} was taken over by another worker") from None
        if before is not None and before.get("state") == SENDING and before.get("owner") != self.owner:
            logger.warning("taking over %s: %s claimed it at %s and did not record it as sent",
                           key, before.get("owner"), before.get("claimed_at"))
            self.collection.update_one({"key": key}, {"$set": {"resent": True}})
            return RESEND
        return SEND

    def claim_new(self, keys: list[str], lease: float) -> set[str]:
        """Claim, in one round trip, those of ``keys`` that have no record yet (the
        common case: a job's first delivery); return them — each as ``claim`` would
        have answered ``SEND``. A key with a record (sent, being sent, failed: a
        redelivery or a retry) is left out, for ``claim`` to decide one by one.

        One unordered ``insert_many`` of ``sending`` records: the unique index on
        ``key`` refuses exactly the keys that exist, and every other insert goes
        through. Raises PyMongoError for anything but those refusals."""
        if not keys:
            return set()
        now = _now()
        records = [{"key": key, "state": SENDING, "owner": self.owner, "claimed_at": now,
                    "lease_until": now + timedelta(seconds=lease), "created": now} for key in keys]
        try:
            self.collection.insert_many(records, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(error.get("code") != 11000 for error in errors) or exc.details.get("writeConcernErrors"):
                raise
            return set(keys) - {keys[error["index"]] for error in errors}
        return set(keys)

    def forget(self, keys: list[str]) -> None:
        """Delete our unused claims of ``keys`` (``claim_new`` claimed them with a batch;
        the job turned out malformed, or was not begun): a job that never got as far as
        its own claim leaves no record."""
        if keys:
            self.collection.delete_many({"key": {"$in": keys}, "owner": self.owner, "state": SENDING})

    def mark_sent(self, key: str) -> None:
        """Record that ``key`` has left (whoever holds the claim now)."""
        self.collection.update_one({"key": key}, {"$set": {"state": SENT, "sent_at": _now()},
                                                  "$unset": {"lease_until": ""}})

    def release(self, key: str) -> None:
        """Give up our claim on ``key`` after a failed send, so that a retry may claim it."""
        self.collection.update_one({"key": key, "owner": self.owner, "state": SENDING},
                                   {"$set": {"state": FAILED}})
