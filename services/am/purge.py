"""Account termination: remove a user's documents from every service's database.

The right to erasure (GDPR Art. 17) covers every copy, but least privilege keeps each
service to its own database, so the one process that may write them all — the
attribute manager — purges them when it deletes a user from the central database.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from pymongo import MongoClient

from common.db import CENTRAL_DB, SERVICE_DATABASES

logger = logging.getLogger(__name__)


def identifiers(user: Mapping[str, Any] | None) -> list[str]:
    """The addresses and numbers of a central user document (``emails[].email``,
    ``phones[].number``, verified or not); [] for None."""
    if not user:
        return []
    found = [str(e.get("email", "")).strip().lower() for e in user.get("emails", [])]
    found += [str(p.get("number", "")).strip() for p in user.get("phones", [])]
    return [value for value in dict.fromkeys(found) if value]


def purge_user(client: MongoClient, user_id: str) -> dict[str, int]:
    """Delete ``user_id``'s documents from every service database (``SERVICE_DATABASES``:
    exactly those the AM's MongoDB user may write) but the central one (``AttributeManager.delete`` removes that; call this first, while the central
    document still names the user's addresses).

    A document is the user's when its ``_id``, ``user_id`` or ``owner`` is ``user_id``
    (private copies, proofing logs, codes sent to the user) or its ``subject`` is one of
    the user's addresses or numbers (codes of flows that had no user id yet: signup,
    reset). Idempotent. Returns ``"<db>.<collection>"`` → documents deleted (non-zero
    only). Raises ``pymongo.errors.PyMongoError`` when MongoDB fails (the AM retries).
    """
    addresses = identifiers(client[CENTRAL_DB].users.find_one({"_id": user_id}, {"emails": 1, "phones": 1}))
    query: dict[str, Any] = {"$or": [{"_id": user_id}, {"user_id": user_id}, {"owner": user_id}]}
    if addresses:
        query["$or"].append({"subject": {"$in": addresses}})
    deleted: dict[str, int] = {}
    for name in SERVICE_DATABASES:
        database = client[name]
        for collection in database.list_collection_names():
            if collection.startswith("system."):
                continue
            count = database[collection].delete_many(query).deleted_count
            if count:
                deleted[f"{name}.{collection}"] = count
    logger.info("purged %s from the service databases: %s", user_id, deleted or "nothing")
    return deleted
