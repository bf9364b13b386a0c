"""The user's sessions as devices: "Firefox on Linux", where from, since when, and how
they signed in; ending one or all others (``common.session`` keeps them)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from common import events
from common import session as sessions
from common.errors import ApiError
from common.events import EventType
from common.user_agents import describe
from services.security.helpers import SecurityMsg


def listing(user_id: str) -> dict[str, list[dict[str, Any]]]:
    """``{sessions}``: the user's live sessions (``shown``), this one first, then the most
    recently seen."""
    found = sorted(sessions.user_sessions(user_id), key=lambda s: (not s["current"], -(s["last_seen"] or 0)))
    return {"sessions": [shown(s) for s in found]}


def shown(entry: dict[str, Any]) -> dict[str, Any]:
    """A session of ``common.session.user_sessions`` as the user sees it: the times as
    UTC datetimes, the browser described."""
    return {**entry, "user_agent": describe(entry["user_agent"]),
            "created": _moment(entry["created"]), "last_seen": _moment(entry["last_seen"])}


def _moment(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, timezone.utc)


def revoke(user_id: str, handle: str) -> dict[str, list[dict[str, Any]]]:
    """End the user's session ``handle`` (a ``public_id``) and record ``session_revoked``;
    the remaining sessions. Raises ApiError 404 ``security.session_not_found`` for a
    handle that is not one of the user's live sessions."""
    if not sessions.end_session(user_id, handle):
        raise ApiError(SecurityMsg.session_not_found, 404)
    events.record(EventType.session_revoked, user_id, {"count": 1})
    return listing(user_id)


def revoke_others(user_id: str) -> dict[str, list[dict[str, Any]]]:
    """End every other session of the user (recording ``session_revoked`` when there was
    one); the remaining sessions (this one)."""
    ended = sessions.end_user_sessions(user_id, keep_current=True)
    if ended:
        events.record(EventType.session_revoked, user_id, {"count": ended})
    return listing(user_id)
