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
What to write is decided by the pure ``services.am.plan.plan``; this module reads its
inputs and applies the plan in one transaction.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from common.consumer import PermanentError
from common.db import CENTRAL_DB, private_db_name
from services.am.errors import AmMsg, NotYetVisible
from services.am.plan import (EMAILS, KINDS, PHONES, WEBAUTHN_IDS, Outcome, Plan, ServiceRights, SyncRequest, claimed,
                              plan, screen, stands_alone, version_guard)

logger = logging.getLogger(__name__)

__all__ = ["AmMsg", "AttributeManager", "NotYetVisible", "ensure_indexes", "utc_now", "verified_emails",
           "verified_phones"]


def utc_now() -> datetime:
    """Now, UTC, at millisecond precision (what MongoDB stores)."""
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def verified_emails(emails: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The lower-cased addresses of the verified entries of ``emails``
    (``[{email, verified, primary, ...}]``), without duplicates, in order."""
    return EMAILS.verified(emails)


def verified_phones(phones: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The E.164 numbers of the verified entries of ``phones`` (``[{number, verified,
    primary, ...}]``), without duplicates, in order."""
    return PHONES.verified(phones)


#: A WebAuthn credential id (``webauthn_ids``, derived from ``credentials`` by the plan) is
#: on one account at most: the
#: assertion of a key names the account it logs in to, so two accounts must never hold
#: the same key (WebAuthn Level 2 §7.1 step 22: "If the credentialId is already known,
#: the RP SHOULD fail this registration ceremony"). The check security makes before it
#: registers cannot see a parallel registration for another account; this index can.
WEBAUTHN_ID_INDEX = "webauthn_ids_unique"
#: an index on ``credentials.webauthn_id`` made by a build of 2026-12-01 (an hour's life):
#: it refused every second account with a key (the null of its password); dropped here
_DROPPED_INDEXES = ("credentials_webauthn_id_unique",)


def ensure_indexes(users: Collection) -> None:
    """Create the unique multikey indexes on ``verified_emails``, ``verified_phones`` and
    the WebAuthn credential ids ``webauthn_ids`` (``WEBAUTHN_ID_INDEX``; unique across
    accounts — within one account security's lock keeps them apart).

    Idempotent. Raises ``pymongo.errors.OperationFailure`` when the data already
    violates uniqueness (a human must look) and ``PyMongoError`` when MongoDB is down.
    """
    for field in ("verified_emails", "verified_phones"):
        users.create_index(field, name=f"{field}_unique", unique=True,
                           partialFilterExpression={field: {"$type": "string"}})
    for name in set(_DROPPED_INDEXES) & set(users.index_information()):
        users.drop_index(name)
    users.create_index(WEBAUTHN_IDS, name=WEBAUTHN_ID_INDEX, unique=True,
                       partialFilterExpression={WEBAUTHN_IDS: {"$type": "string"}})


def holders_filter(user_id: str, wanted: Mapping[str, Iterable[str]]) -> dict[str, Any] | None:
    """The central query for the accounts other than ``user_id`` that hold one of the
    ``wanted`` verified values (derived field, e.g. ``verified_emails`` → values); None
    when nothing is wanted.

    Each clause repeats the ``$type`` partial filter of the unique index on its field
    (``ensure_indexes``): MongoDB uses a partial index only for a query that implies its
    filter, and without it every sync that claims a value scanned the whole collection
    (issue 15; ``tests/am/test_am.py`` asks MongoDB's ``explain``)."""
    clauses = [{field: {"$in": list(values), "$type": "string"}} for field, values in wanted.items() if values]
    if not clauses:
        return None
    return {"_id": {"$ne": user_id}, "$or": clauses}


class AttributeManager:
    """Applies ``sync`` and ``delete`` requests to the central database.

    ``whitelist``: service → attributes it may write; ``create_allowed``: services whose
    sync may create the central document; ``delete_allowed``: services that may delete;
    ``credential_usage_only``: services whose ``credentials`` are merged by
    ``credential_id`` (usage and re-hash of existing credentials only, see
    ``services.am.plan.merge_credential_usage``).
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

    def rights(self, service: str) -> ServiceRights:
        """What ``service`` may do to the central database."""
        return ServiceRights(self.whitelist.get(service, frozenset()), service in self.create_allowed,
                             service in self.credential_usage_only)

    # -- sync ---------------------------------------------------------------------------
    def sync(self, service: str, user_id: str, attributes: list[str], version: int) -> None:
        """Copy ``attributes`` of ``user_id`` from ``tessera_<service>.users`` (whose
        ``version`` must be at least ``version``) into the central document.

        Reads what ``services.am.plan.plan`` needs and applies its plan in one
        transaction — or, for a sync that ``stands_alone``, in one guarded update
        (``_write_alone``). Several AM consumers may take syncs of one user at once, so the
        copy read here may be overtaken by a newer one that another consumer applies
        first: the central document records the private version each service's copy
        came from (``sync_versions.<service>``), and a copy not newer than that is not
        written (the sync still succeeds). Two transactions that race on one document
        conflict, and MongoDB retries the loser, which then reads and plans again.

        Raises PermanentError (refused: not whitelisted, no such user, a primary address
        in use), NotYetVisible (the private copy is older than ``version``: retry later)
        and PyMongoError.
        """
        request = SyncRequest(service, user_id, tuple(attributes), version)
        rights = self.rights(service)
        screened = screen(request, rights)
        if screened is not None:
            self._refuse(request, screened)
        private = self.client[private_db_name(service)].users.find_one({"_id": user_id})
        now = utc_now()
        if stands_alone(request, rights) and self._write_alone(request, rights, private, now):
            return

        def transaction(session: ClientSession) -> Plan:
            current = self.users.find_one({"_id": user_id}, {"credentials": 1, "sync_versions": 1},
                                          session=session)
            decided = plan(request, rights, private, current, self._holders(request, private, session), now)
            if decided.outcome is Outcome.WRITE:
                for write in decided.writes:
                    result = self.users.update_one({"_id": write.user_id}, write.update, upsert=write.upsert,
                                                   session=session)
                    if result.matched_count == 0 and result.upserted_id is None:
                        # planned on a document that is gone: the transaction's snapshot
                        # makes this unreachable, but never write half a plan
                        raise PermanentError(AmMsg.user_not_found)
            return decided

        try:
            with self.client.start_session() as session:
                decided = session.with_transaction(transaction)
        except DuplicateKeyError as exc:
            if WEBAUTHN_ID_INDEX not in str(exc):
                raise  # not a refusal: the consumer retries (and dead-letters) as for any error
            logger.warning("refused sync from %s for %s: a WebAuthn credential of it is on another account",
                           service, user_id)
            raise PermanentError(AmMsg.webauthn_in_use) from None
        if decided.outcome is Outcome.REFUSED:
            self._refuse(request, decided)
        if decided.outcome is Outcome.NOT_YET_VISIBLE:
            raise NotYetVisible(decided.detail)
        for move in decided.moves:
            logger.warning("moved verified %s %s from %s to %s", move.kind, move.value, move.from_user,
                           move.to_user)
        if decided.outcome is Outcome.WRITE:
            logger.info("synced %s of %s from %s (version %s)", ", ".join(sorted(attributes)), user_id,
                        service, decided.copied)
        else:
            logger.info("sync of %s from %s (version %s): the central copy is as new already",
                        user_id, service, decided.copied)

    def _write_alone(self, request: SyncRequest, rights: ServiceRights, private: Mapping[str, Any] | None,
                     now: datetime) -> bool:
        """Apply a sync that ``stands_alone`` with one update and no transaction: planned
        as if the central copy were older, written only if it is (``version_guard`` in
        the filter, checked by MongoDB atomically with the write). True when written.

        False leaves the decision to the transaction (which reads and plans again): the
        user is not in the central database, its copy is as new already, or the plan is
        not a write (no private copy, not yet at the version) — rare, and decided there
        once, the same way. Saves the read of the central document and the commit: such
        a sync takes 2 MongoDB commands instead of 4 (issue 15)."""
        decided = plan(request, rights, private, {}, [], now)
        if decided.outcome is not Outcome.WRITE or decided.copied < 1:
            return False
        (write,) = decided.writes
        result = self.users.update_one({"_id": request.user_id, **version_guard(request.service, decided.copied)},
                                       write.update)
        if result.matched_count != 1:
            return False
        logger.info("synced %s of %s from %s (version %s)", ", ".join(sorted(request.attributes)),
                    request.user_id, request.service, decided.copied)
        return True

    def _holders(self, request: SyncRequest, private: Mapping[str, Any] | None,
                 session: ClientSession) -> list[dict[str, Any]]:
        """The other central accounts that hold a verified value the sync claims."""
        wanted = claimed(request, private) if private is not None else {}
        query = holders_filter(request.user_id, {kind.derived: values for kind, values in wanted.items()})
        if query is None:
            return []
        fields = {kind.attribute: 1 for kind in KINDS}
        return list(self.users.find(query, fields, session=session))

    @staticmethod
    def _refuse(request: SyncRequest, decided: Plan) -> None:
        logger.warning("refused sync from %s for %s: %s", request.service, request.user_id, decided.detail)
        raise PermanentError(decided.refusal)

    # -- delete -------------------------------------------------------------------------
    def delete(self, service: str, user_id: str) -> None:
        """Remove ``user_id`` from the central database (absent already is fine)."""
        if service not in self.delete_allowed:
            logger.warning("refused delete of %s from %s: not allowed to delete", user_id, service)
            raise PermanentError(AmMsg.operation_not_allowed)
        result = self.users.delete_one({"_id": user_id})
        logger.info("deleted %s from the central db at the request of %s (%s removed)",
                    user_id, service, result.deleted_count)
