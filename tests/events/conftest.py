"""Fixtures of the security event log's tests."""
from __future__ import annotations

from typing import Any, Callable

import pytest

from common.catalog import EVENTS_COLLECTION, EVENTS_DB
from tests.users import mongo_client


@pytest.fixture
def logged_events(stack) -> Callable[[str], list[dict[str, Any]]]:
    """``logged_events(user_id)`` → that user's documents in the event log, oldest first,
    as MongoDB holds them (read as the administrator)."""
    def read(user_id: str) -> list[dict[str, Any]]:
        client = mongo_client(stack)
        try:
            return list(client[EVENTS_DB][EVENTS_COLLECTION].find({"user_id": user_id}).sort([("at", 1), ("_id", 1)]))
        finally:
            client.close()
    return read
