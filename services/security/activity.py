"""The user's security activity: their events from the log (``common.events``), newest
first, a page at a time."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bson import ObjectId

from common.events import events_collection
from services.security.devices import describe

#: events per page
PAGE_SIZE = 20


def cursor(event: dict[str, Any]) -> str:
    """The cursor that pages after ``event``: ``<at in epoch milliseconds>.<its id>``.
    Events are ordered by ``at`` (ids made by different processes in one second are not
    in time order), the id breaking ties."""
    at = event["at"] if event["at"].tzinfo else event["at"].replace(tzinfo=timezone.utc)
    return f"{int(at.timestamp() * 1000)}.{event['_id']}"


def page(user_id: str, before: str | None) -> dict[str, Any]:
    """``{events, next}``: up to ``PAGE_SIZE`` of ``user_id``'s events, newest first, older
    than the cursor ``before`` (as ``next`` gives it, see ``cursor``); ``next`` is the
    cursor of the following page or None at the last. Each event ``{id, type, at, ip,
    user_agent (described: "Firefox on Linux"), details}``. Only the owner's events are
    ever read (the filter); the index ``(user_id, at, _id)`` serves it."""
    query: dict[str, Any] = {"user_id": user_id}
    if before is not None:
        millis, oid = before.split(".")
        at = datetime.fromtimestamp(int(millis) / 1000, timezone.utc)
        query["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": ObjectId(oid)}}]
    found = list(events_collection().find(query).sort([("at", -1), ("_id", -1)]).limit(PAGE_SIZE + 1))
    shown = found[:PAGE_SIZE]
    return {
        "events": [{"id": str(e["_id"]), "type": e["type"], "at": e["at"], "ip": e.get("ip"),
                    "user_agent": describe(e.get("user_agent")), "details": e.get("details") or {}}
                   for e in shown],
        "next": cursor(shown[-1]) if len(found) > PAGE_SIZE else None,
    }
