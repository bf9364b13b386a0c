"""oidc's records in its own database ``tessera_oidc``.

* ``codes``: authorization codes by their SHA-256 (single use; ``used`` set by
  compare-and-set), with the Tessera session that approved them (``session_token``).
* ``tokens``: one document per token response: SHA-256 of the access and refresh
  tokens (never the tokens), the code or refresh token it came from, its ``family``
  (the grant: every token of one authorization shares it, RFC 9700 §4.14.2).
* ``consents``: what a user approved for a third-party client.
* ``requests``: authorization requests waiting for the user's consent.
* ``logouts``: RP-initiated logout requests waiting for the user's answer (single use,
  bound to the Tessera session that received them by its ``session_hash``).

Every record carries ``user_id``, so an account's deletion purges it (``services.am.purge``);
what proves anything is stored hashed or under a ``*_hash``/``*_token`` name, which the
data export leaves out (``services.security.export``).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from common.db import private_db


def digest(token: str) -> str:
    """The hex SHA-256 under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def now() -> int:
    return int(time.time())


def create_indexes(app) -> None:
    """Indexes: lookups by token hash, by family, by user; expiry of codes and requests."""
    with app.app_context():
        db = private_db()
        db.tokens.create_index("access_hash", unique=True)
        db.tokens.create_index("refresh_hash", unique=True, sparse=True)
        db.tokens.create_index("family")
        db.tokens.create_index([("user_id", 1), ("client_id", 1)])
        db.consents.create_index([("user_id", 1), ("client_id", 1)], unique=True)
        db.codes.create_index("expire_at", expireAfterSeconds=0)
        db.requests.create_index("expire_at", expireAfterSeconds=0)
        db.logouts.create_index("expire_at", expireAfterSeconds=0)


# --- codes ------------------------------------------------------------------------------

def save_code(record: dict[str, Any]) -> None:
    private_db().codes.insert_one(record)


def use_code(code: str, client_id: str) -> tuple[dict | None, dict | None]:
    """Take ``code`` of ``client_id`` once: ``(record, None)`` the first time within its
    lifetime; ``(None, replayed)`` when it was used before (the caller revokes what it
    issued); ``(None, None)`` when unknown or expired. Codes are stored by their SHA-256."""
    from datetime import datetime, timezone

    db = private_db()
    code = digest(code)
    record = db.codes.find_one_and_update(
        {"_id": code, "client_id": client_id, "used": False,
         "expire_at": {"$gt": datetime.now(timezone.utc)}},
        {"$set": {"used": True}})
    if record is not None:
        return record, None
    replayed = db.codes.find_one({"_id": code, "client_id": client_id, "used": True})
    return None, replayed


# --- tokens -----------------------------------------------------------------------------

def save_tokens(record: dict[str, Any]) -> None:
    private_db().tokens.insert_one(record)


def find_by_access(token: str) -> dict | None:
    return private_db().tokens.find_one({"access_hash": digest(token)})


def find_by_refresh(token: str) -> dict | None:
    return private_db().tokens.find_one({"refresh_hash": digest(token)})


def retire_refreshed(record_id: Any) -> bool:
    """Rotate: the refresh token of ``record_id`` is used up and the access token issued
    with it revoked, in one compare-and-set (one round trip, not two). False when the
    refresh token was used already (a parallel use: reuse); then nothing is changed."""
    result = private_db().tokens.update_one({"_id": record_id, "refresh_used": False},
                                            {"$set": {"refresh_used": True, "revoked": True}})
    return result.modified_count == 1


def revoke_family(family: str) -> int:
    """Revoke every access and refresh token of one grant."""
    return private_db().tokens.update_many({"family": family}, {"$set": {"revoked": True}}).modified_count


def revoke_client_tokens(user_id: str, client_id: str) -> int:
    return private_db().tokens.update_many({"user_id": user_id, "client_id": client_id},
                                           {"$set": {"revoked": True}}).modified_count


def revoke_code_tokens(code: str) -> int:
    """Revoke the whole grant a replayed code started (RFC 6749 §4.1.2)."""
    db = private_db()
    families = db.tokens.distinct("family", {"code_hash": digest(code)})
    return sum(revoke_family(family) for family in families)


# --- consents and pending requests ---------------------------------------------------------

def consented_scopes(user_id: str, client_id: str) -> set[str]:
    record = private_db().consents.find_one({"user_id": user_id, "client_id": client_id})
    return set(record["scopes"]) if record else set()


def add_consent(user_id: str, client_id: str, scopes: list[str]) -> None:
    from datetime import datetime, timezone

    private_db().consents.update_one(
        {"user_id": user_id, "client_id": client_id},
        {"$addToSet": {"scopes": {"$each": scopes}}, "$set": {"granted_at": datetime.now(timezone.utc)}},
        upsert=True)


def list_consents(user_id: str) -> list[dict]:
    return list(private_db().consents.find({"user_id": user_id}).sort("granted_at", 1))


def remove_consent(user_id: str, client_id: str) -> bool:
    return private_db().consents.delete_one({"user_id": user_id, "client_id": client_id}).deleted_count == 1


def save_request(user_id: str, client_id: str, scopes: list[str], query: str, lifetime: int) -> str:
    """Keep an authorization request that waits for consent; returns its id."""
    from datetime import datetime, timedelta, timezone

    request_id = secrets.token_urlsafe(24)
    private_db().requests.insert_one({
        "_id": request_id, "user_id": user_id, "client_id": client_id, "scopes": scopes,
        "query": query, "expire_at": datetime.now(timezone.utc) + timedelta(seconds=lifetime)})
    return request_id


def find_request(request_id: str, user_id: str) -> dict | None:
    return private_db().requests.find_one({"_id": request_id, "user_id": user_id})


def take_request(request_id: str, user_id: str) -> dict | None:
    """Use a pending request once (a second decision finds nothing)."""
    return private_db().requests.find_one_and_delete({"_id": request_id, "user_id": user_id})


# --- RP-initiated logout requests -----------------------------------------------------------

def save_logout(user_id: str, session_id: str, client_id: str | None, target: str | None,
                state: str | None, lifetime: int) -> str:
    """Keep a validated logout request (``target``: a registered post_logout_redirect_uri
    or None) for ``lifetime`` seconds, bound to the session ``session_id`` (stored as its
    SHA-256); returns its id, a 192-bit random string."""
    from datetime import datetime, timedelta, timezone

    request_id = secrets.token_urlsafe(24)
    private_db().logouts.insert_one({
        "_id": request_id, "user_id": user_id, "session_hash": digest(session_id), "client_id": client_id,
        "target": target, "state": state, "expire_at": datetime.now(timezone.utc) + timedelta(seconds=lifetime)})
    return request_id


def _logout_query(request_id: str, user_id: str, session_id: str) -> dict[str, Any]:
    from datetime import datetime, timezone

    # the TTL monitor deletes late (once a minute): an expired record must not count meanwhile
    return {"_id": request_id, "user_id": user_id, "session_hash": digest(session_id),
            "expire_at": {"$gt": datetime.now(timezone.utc)}}


def find_logout(request_id: str, user_id: str, session_id: str) -> dict | None:
    """The unexpired logout request ``request_id`` of this user and session, or None."""
    return private_db().logouts.find_one(_logout_query(request_id, user_id, session_id))


def take_logout(request_id: str, user_id: str, session_id: str) -> dict | None:
    """Use a logout request once (a second answer, or one from another session, finds nothing)."""
    return private_db().logouts.find_one_and_delete(_logout_query(request_id, user_id, session_id))
