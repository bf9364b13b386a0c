"""The proofing log: every verification a service performs, kept in its own database.

One document per proof in ``<service db>.proofing_log``:
``{user_id, kind ("email" | "phone" | "password_reset"), value, method, created}``.
The log outlives the verified attribute (it is evidence), but not the account.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from common.db import private_db

COLLECTION = "proofing_log"


def log_proofing(user_id: str, kind: str, value: str, method: str, **details: Any) -> None:
    """Record that ``user_id`` proved ``value`` (of ``kind``) by ``method``
    (e.g. ``code_by_mail``, ``code_by_sms``)."""
    private_db()[COLLECTION].insert_one({
        "user_id": user_id, "kind": kind, "value": value, "method": method,
        "created": datetime.now(timezone.utc), **details,
    })


def forget_user(user_id: str) -> int:
    """Delete ``user_id``'s proofing records (account termination). Returns how many."""
    return private_db()[COLLECTION].delete_many({"user_id": user_id}).deleted_count
