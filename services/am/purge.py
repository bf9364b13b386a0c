"""Account termination: remove a user's documents from every database that holds user data.

The right to erasure (GDPR Art. 17) covers every copy, but least privilege keeps each
service to its own database, so the one process that may write them all — the
attribute manager — purges them when it deletes a user from the central database.
"""
from __future__ import annotations

import logging

from pymongo import MongoClient

from common.catalog import CENTRAL_DB
from common.user_data import ownership_query, user_collections

logger = logging.getLogger(__name__)


def purge_user(client: MongoClient, user_id: str) -> dict[str, int]:
    """Delete ``user_id``'s documents from every database that holds user data
    (``USER_DATA_DATABASES``: every service's and the event log; exactly those the AM's
    MongoDB user may write, and those the data export shows) but the central one
    (``AttributeManager.delete`` removes that; call this first, while the central
    document still names the user's addresses).

    A document is the user's when ``common.user_data.ownership_query`` says so (the
    query the data export reads with). Idempotent. Returns ``"<db>.<collection>"`` →
    documents deleted (non-zero only). Raises ``pymongo.errors.PyMongoError`` when MongoDB fails (the AM retries).
    """
    query = ownership_query(user_id, client[CENTRAL_DB].users.find_one({"_id": user_id}, {"emails": 1, "phones": 1}))
    deleted: dict[str, int] = {}
    for name, collection in user_collections(client):
        count = collection.delete_many(query).deleted_count
        if count:
            deleted[f"{name}.{collection.name}"] = count
    logger.info("purged %s from the user data databases: %s", user_id, deleted or "nothing")
    return deleted
