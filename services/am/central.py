"""The attribute manager's work on the central database, independent of AMQP.

``tessera_central.users`` is written here and nowhere else: ``AttributeManager`` is the
one holder of a writable handle on it (every service gets ``common.db.ReadOnlyDatabase``).

Uniqueness: a verified address or number belongs to at most one account. The derived
lists ``verified_emails`` (lower-cased addresses) and ``verified_phones`` (E.164) carry
unique multikey indexes, partial on "holds a string" so that empty lists and users
without any never collide. When a sync of user B verifies an address that user A has
verified, one transaction first unverifies it on A and then writes B (as eduID does:
the newest proof of possession wins) — unless it is A's *primary* address, A's login
identity, which is never taken away silently: then B's sync is refused (``emails.in_use``).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from enum import unique
from typing import Any, Iterable, Mapping

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection

from common.consumer import PermanentError
from common.db import CENTRAL_DB, private_db_name
from common.messages import TranslatableMsg

logger = logging.getLogger(__name__)


@unique
class AmMsg(TranslatableMsg):
    """Why the AM refused a request (the ``error`` of its RPC reply)."""

    message_invalid = "am.message_invalid"
    attribute_not_allowed = "am.attribute_not_allowed"
    operation_not_allowed = "am.operation_not_allowed"
    #: the message names a service other than the RabbitMQ user that sent it
    sender_not_allowed = "am.sender_not_allowed"
    user_not_found = "am.user_not_found"
    email_in_use = "emails.in_use"


class NotYetVisible(Exception):
    """The private copy is older than the version the sync names: try again later."""


def utc_now() -> datetime:
    """Now, UTC, at millisecond precision (what MongoDB stores)."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def verified_emails(emails: Iterable[Mapping[str, Any]]) -> list[str]:
    """The lower-cased addresses of the verified entries of ``emails``
    (``[{email, verified, primary, ...}]``), without duplicates, in order."""
    found: list[str] = []
    for entry in emails or ():
        address = str(entry.get("email", "")).strip().lower()
        if entry.get("verified") and address and address not in found:
            found.append(address)
    return found


def verified_phones(phones: Iterable[Mapping[str, Any]]) -> list[str]:
    """The E.164 numbers of the verified entries of ``phones`` (``[{number, verified,
    primary, ...}]``), without duplicates, in order."""
    found: list[str] = []
    for entry in phones or ():
        number = str(entry.get("number", "")).strip()
        if entry.get("verified") and number and number not in found:
            found.append(number)
    return found


def merge_credential_usage(central: Iterable[Mapping[str, Any]],
                           reported: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``central``'s credentials with ``last_used`` (the later of the two) and ``hash``
    taken from the ``reported`` credential of the same ``credential_id``.

    A reported credential that no longer exists centrally (replaced by a password change
    or reset since the login that reported it) is ignored, and none is added or removed.
    """
    by_id = {c.get("credential_id"): c for c in reported}
    merged: list[dict[str, Any]] = []
    for credential in central:
        entry = dict(credential)
        report = by_id.get(entry.get("credential_id"))
        if report is not None:
            if report.get("hash"):
                entry["hash"] = report["hash"]
            used = [t for t in (entry.get("last_used"), report.get("last_used")) if t is not None]
            entry["last_used"] = max(used) if used else None
        merged.append(entry)
    return merged


def ensure_indexes(users: Collection) -> None:
    """Create the unique multikey indexes on ``verified_emails`` and ``verified_phones``.

    Idempotent. Raises ``pymongo.errors.OperationFailure`` when the data already
    violates uniqueness (a human must look) and ``PyMongoError`` when MongoDB is down.
    """
    for field in ("verified_emails", "verified_phones"):
        users.create_index(field, name=f"{field}_unique", unique=True,
                           partialFilterExpression={field: {"$type": "string"}})


class AttributeManager:
    """Applies ``sync`` and ``delete`` requests to the central database.

    ``whitelist``: service → attributes it may write; ``create_allowed``: services whose
    sync may create the central document; ``delete_allowed``: services that may delete;
    ``credential_usage_only``: services whose ``credentials`` are merged by
    ``credential_id`` (usage and re-hash of existing credentials only, see
    ``merge_credential_usage``).
    Both methods raise ``PermanentError`` (with an ``AmMsg`` key) for a request that must
    be refused, ``NotYetVisible`` or a ``PyMongoError`` for a transient failure. Both are
    idempotent: they copy current state, so a redelivered request is harmless.
    """

    def __init__(self, client: MongoClient, whitelist: Mapping[str, Iterable[str]],
                 create_allowed: Iterable[str], delete_allowed: Iterable[str],
                 credential_usage_only: Iterable[str] = ()) -> None:
        self.client = client
        self.users: Collection = client[CENTRAL_DB].users  # the only writable handle
        self.whitelist = {service: frozenset(attrs) for service, attrs in whitelist.items()}
        self.create_allowed = frozenset(create_allowed)
        self.delete_allowed = frozenset(delete_allowed)
        self.credential_usage_only = frozenset(credential_usage_only)

    # -- sync ---------------------------------------------------------------------------
    def sync(self, service: str, user_id: str, attributes: list[str], version: int) -> None:
        """Copy ``attributes`` of ``user_id`` from ``tessera_<service>.users`` (whose
        ``version`` must be at least ``version``) into the central document.

        Several AM consumers may take syncs of one user at once, so the copy read here
        may be overtaken by a newer one that another consumer applies first. The central
        document records the private version each service's copy came from
        (``sync_versions.<service>``); a copy not newer than that is not written (the
        sync still succeeds: the central document already holds as much). Two
        transactions that race on one document conflict, and MongoDB retries the loser,
        which then sees the winner's version.

        Raises PermanentError (refused: not whitelisted, no such user), NotYetVisible
        (the private copy is older than ``version``: retry later) and PyMongoError.
        """
        refused = sorted(set(attributes) - self.whitelist.get(service, frozenset()))
        if refused:
            logger.warning("refused sync from %s for %s: %s not in its whitelist",
                           service, user_id, ", ".join(refused))
            raise PermanentError(AmMsg.attribute_not_allowed)
        private = self.client[private_db_name(service)].users.find_one({"_id": user_id})
        if private is None:
            logger.warning("sync from %s for %s: no private copy", service, user_id)
            raise PermanentError(AmMsg.user_not_found)
        if private.get("version", 0) < version:
            raise NotYetVisible(f"{service} copy of {user_id} is at version "
                                f"{private.get('version', 0)}, not yet {version}")
        now = utc_now()
        copied = private.get("version", 0)
        values = {name: private[name] for name in attributes if name in private}
        if "emails" in attributes:
            values["verified_emails"] = verified_emails(values.get("emails", []))
        if "phones" in attributes:
            values["verified_phones"] = verified_phones(values.get("phones", []))
        update: dict[str, Any] = {"$set": {**values, f"sync_versions.{service}": copied, "modified": now}}
        missing = [name for name in attributes if name not in private and name != "created"]
        if missing:
            update["$unset"] = dict.fromkeys(missing, "")
        if "created" not in values:
            update["$setOnInsert"] = {"created": now}
        upsert = service in self.create_allowed

        merge_usage = service in self.credential_usage_only and "credentials" in values

        def transaction(session: ClientSession) -> bool:
            current = self.users.find_one({"_id": user_id}, {"credentials": 1, "sync_versions": 1},
                                          session=session)
            if current is not None and current.get("sync_versions", {}).get(service, 0) >= copied:
                return False
            if merge_usage:
                if current is None:
                    raise PermanentError(AmMsg.user_not_found)
                update["$set"]["credentials"] = merge_credential_usage(current.get("credentials", []),
                                                                       values["credentials"])
            for address in values.get("verified_emails", ()):
                self._take_email(session, address, user_id, now)
            for number in values.get("verified_phones", ()):
                self._take_phone(session, number, user_id, now)
            result = self.users.update_one({"_id": user_id}, update, upsert=upsert, session=session)
            if result.matched_count == 0 and result.upserted_id is None:
                logger.warning("sync from %s for %s: no such user in the central db", service, user_id)
                raise PermanentError(AmMsg.user_not_found)
            return True

        with self.client.start_session() as session:
            written = session.with_transaction(transaction)
        if written:
            logger.info("synced %s of %s from %s (version %s)", ", ".join(sorted(attributes)), user_id,
                        service, copied)
        else:
            logger.info("sync of %s from %s (version %s): the central copy is as new already",
                        user_id, service, copied)

    def _take_email(self, session: ClientSession, address: str, user_id: str, now: datetime) -> None:
        """Unverify ``address`` on whichever other user has it verified, unless it is
        that user's primary address (then refuse)."""
        owner = self.users.find_one({"verified_emails": address, "_id": {"$ne": user_id}}, session=session)
        if owner is None:
            return
        emails = [dict(e) for e in owner.get("emails", [])]
        if any(e.get("primary") and str(e.get("email", "")).strip().lower() == address for e in emails):
            logger.warning("refused to move %s from %s to %s: it is the owner's primary address",
                           address, owner["_id"], user_id)
            raise PermanentError(AmMsg.email_in_use)
        for entry in emails:
            if str(entry.get("email", "")).strip().lower() == address:
                entry["verified"] = False
                entry.pop("verified_at", None)
        self.users.update_one({"_id": owner["_id"]},
                              {"$set": {"emails": emails, "verified_emails": verified_emails(emails),
                                        "modified": now}}, session=session)
        logger.warning("moved verified address %s from %s to %s", address, owner["_id"], user_id)

    def _take_phone(self, session: ClientSession, number: str, user_id: str, now: datetime) -> None:
        """Unverify ``number`` on whichever other user has it verified; if it was that
        user's primary number, promote their next verified number, if any."""
        owner = self.users.find_one({"verified_phones": number, "_id": {"$ne": user_id}}, session=session)
        if owner is None:
            return
        phones = [dict(p) for p in owner.get("phones", [])]
        for entry in phones:
            if str(entry.get("number", "")).strip() == number:
                entry["verified"] = False
                entry["primary"] = False
                entry.pop("verified_at", None)
        if not any(p.get("primary") for p in phones):
            successor = next((p for p in phones if p.get("verified")), None)
            if successor is not None:
                successor["primary"] = True
        self.users.update_one({"_id": owner["_id"]},
                              {"$set": {"phones": phones, "verified_phones": verified_phones(phones),
                                        "modified": now}}, session=session)
        logger.warning("moved verified number %s from %s to %s", number, owner["_id"], user_id)

    # -- delete -------------------------------------------------------------------------
    def delete(self, service: str, user_id: str) -> None:
        """Remove ``user_id`` from the central database (absent already is fine)."""
        if service not in self.delete_allowed:
            logger.warning("refused delete of %s from %s: not allowed to delete", user_id, service)
            raise PermanentError(AmMsg.operation_not_allowed)
        result = self.users.delete_one({"_id": user_id})
        logger.info("deleted %s from the central db at the request of %s (%s removed)",
                    user_id, service, result.deleted_count)
