"""Which documents are a user's, in every database that holds user data.

Account deletion (``services.am.purge``, GDPR Art. 17) and the data export
(``services.security.export``, GDPR Art. 15/20) must cover exactly the same data, so both
walk ``USER_DATA_DATABASES`` (``common.catalog``) with the same query from here: what
one deletes the other shows.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

from pymongo import MongoClient
from pymongo.collection import Collection

from common.catalog import USER_DATA_DATABASES


def identifiers(user: Mapping[str, Any] | None) -> list[str]:
    """The addresses and numbers of a central user document (``emails[].email``,
    ``phones[].number``, verified or not); [] for None."""
    if not user:
        return []
    found = [str(e.get("email", "")).strip().lower() for e in user.get("emails", [])]
    found += [str(p.get("number", "")).strip() for p in user.get("phones", [])]
    return [value for value in dict.fromkeys(found) if value]


def ownership_query(user_id: str, user: Mapping[str, Any] | None) -> dict[str, Any]:
    """The MongoDB filter of ``user_id``'s documents: its ``_id``, ``user_id`` or ``owner``
    is ``user_id`` (private copies, proofing logs, security events, consents) or its
    ``subject`` is one of the addresses or numbers of ``user`` (the central document:
    codes of flows that had no user id yet, signup and reset)."""
    query: dict[str, Any] = {"$or": [{"_id": user_id}, {"user_id": user_id}, {"owner": user_id}]}
    addresses = identifiers(user)
    if addresses:
        query["$or"].append({"subject": {"$in": addresses}})
    return query


def user_collections(client: MongoClient) -> Iterator[tuple[str, Collection]]:
    """``(database name, collection)`` for every collection of ``USER_DATA_DATABASES``
    (system collections left out). Raises pymongo's errors (e.g. not authorised)."""
    for name in USER_DATA_DATABASES:
        database = client[name]
        for collection in database.list_collection_names():
            if not collection.startswith("system."):
                yield name, database[collection]
