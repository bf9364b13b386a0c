"""The data export (GDPR Art. 15 right of access, Art. 20 data portability): everything
Tessera holds about the user as one JSON document.

Built from ``USER_DATA_DATABASES`` with ``common.user_data``'s query — the very list and
query account deletion purges with — so the export and the erasure cannot cover
different data. ``security`` reads those databases read-only (``provision.mongo_users``).
Nothing that proves an identity leaves: hashes, secrets, codes, tokens and keys are
dropped wherever they are nested (``REDACTED``), so a leaked export cannot be used to
log in or to guess a password offline (OWASP ASVS V8.3: sensitive data in exports).
"""
from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any, Mapping

from bson import ObjectId

from common import session as sessions
from common.catalog import DEVICES_COLLECTION, DEVICES_DB, EVENTS_COLLECTION, EVENTS_DB, private_db_name
from common.db import central_db, mongo
from common.user_data import ownership_query, user_collections
from services.security import devices

#: a field whose name is, or has as a ``_``-separated part, one of these is never exported
REDACTED = re.compile(r"(^|_)(hash|hashes|secret|secrets|enc|code|codes|token|tokens|key|keys|password)(_|$)")
#: where the OpenID provider keeps the user's consents
CONSENTS = (private_db_name("oidc"), "consents")


def plain(value: Any) -> Any:
    """``value`` as JSON can hold it, without any field ``REDACTED`` names: ObjectIds as
    hex, datetimes in ISO 8601, bytes in base64url."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if not REDACTED.search(str(k))}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()
    return value


def build(user_id: str) -> dict[str, Any]:
    """``{user, services, events, sessions, consents, devices}``: the central user; every
    other database's documents of the user by service name then collection (``{"emails":
    {"users": [...], "proofing_log": [...]}}``); the security events, oldest first; the
    live sessions; the OpenID consents; the browsers known for the account (without the
    hash that recognises them). Raises pymongo's errors (MongoDB down → 503)."""
    user = central_db().users.find_one({"_id": user_id})
    query = ownership_query(user_id, user)
    services: dict[str, dict[str, list[Any]]] = {}
    events: list[Any] = []
    consents: list[Any] = []
    known_devices: list[Any] = []
    for database, collection in user_collections(mongo().client):
        documents = [plain(d) for d in collection.find(query).sort("_id", 1)]
        if (database, collection.name) == (EVENTS_DB, EVENTS_COLLECTION):
            events = documents
            continue
        if (database, collection.name) == (DEVICES_DB, DEVICES_COLLECTION):
            known_devices = documents
            continue
        if (database, collection.name) == CONSENTS:
            consents = documents
        if documents:
            services.setdefault(database.removeprefix("tessera_"), {})[collection.name] = documents
    shown_sessions = [plain(devices.shown(s)) for s in sessions.user_sessions(user_id)]
    return {"user": plain(user or {}), "services": services, "events": events,
            "sessions": shown_sessions, "consents": consents, "devices": known_devices}
