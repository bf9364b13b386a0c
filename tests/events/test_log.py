"""The security event log itself: paging through GET /api/security/events, only the
owner's events, kept one year, and MongoDB letting the services append and nothing else."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from common.catalog import EVENTS_COLLECTION, EVENTS_DB, EVENTS_RETENTION_SECONDS, SERVICES
from devstack import mongo_access
from provision.mongo_users import EVENTS_APPEND_PRIVILEGES, EVENTS_APPEND_ROLE
from services.security.activity import PAGE_SIZE
from tests.users import mongo_client

UNAUTHORIZED = 13


def _plant(stack, user_id: str, count: int) -> list[ObjectId]:
    """``count`` events of ``user_id``, a second apart, the last one newest; their ids."""
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    documents = [{"_id": ObjectId(), "user_id": user_id, "type": "login", "at": start + timedelta(seconds=n),
                  "ip": "192.0.2.7", "user_agent": None, "service": "authn", "details": {"n": n}}
                 for n in range(count)]
    client = mongo_client(stack)
    try:
        client[EVENTS_DB][EVENTS_COLLECTION].insert_many(documents)
    finally:
        client.close()
    return [d["_id"] for d in documents]


def test_events_are_paged_newest_first_and_only_the_owners(stack, signed_in):
    client, user = signed_in("security")
    ids = _plant(stack, user.user_id, 2 * PAGE_SIZE + 5)
    _plant(stack, "someone-else", 3)
    pages, cursor = [], None
    while True:
        r = client.get("/api/security/events", query_string={"before": cursor} if cursor else None)
        assert r.status == 200, r
        pages.append([e["details"]["n"] for e in r.payload["events"]])
        cursor = r.payload["next"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 5]
    assert [n for p in pages for n in p] == list(range(len(ids) - 1, -1, -1))


def test_a_malformed_cursor_is_a_clear_400(signed_in):
    client, _ = signed_in("security")
    for bad in ("abc", "1.zz", "12." + "0" * 23, "'; drop", "12." + "0" * 24 + "\n"):
        r = client.get("/api/security/events", query_string={"before": bad})
        assert r.status == 400 and r.message == "request.invalid" and "before" in r.errors
    r = client.get("/api/security/events", query_string={"other": "1"})
    assert r.status == 400 and r.message == "request.invalid"


def test_events_need_login(http):
    r = http.get("/api/security/events")
    assert r.status == 401 and r.message == "authn.required"


def test_events_are_kept_one_year(stack):
    client = mongo_client(stack)
    try:
        indexes = client[EVENTS_DB][EVENTS_COLLECTION].index_information()
    finally:
        client.close()
    [ttl] = [i for i in indexes.values() if "expireAfterSeconds" in i]
    assert ttl["key"] == [("at", 1)] and ttl["expireAfterSeconds"] == EVENTS_RETENTION_SECONDS == 365 * 24 * 3600


def _as(stack, name: str) -> MongoClient:
    user = mongo_access.service_user(name)
    return MongoClient(f"mongodb://127.0.0.1:{stack.ports['mongo']}/?replicaSet=tessera",
                       username=user, password=mongo_access.passwords(stack)[user], authSource="admin",
                       serverSelectionTimeoutMS=20000)


def _refused(action) -> None:
    with pytest.raises(OperationFailure) as raised:
        action()
    assert raised.value.code == UNAUTHORIZED


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_append_events_and_not_change_or_delete_them(stack, service):
    client = _as(stack, service)
    try:
        events = client[EVENTS_DB][EVENTS_COLLECTION]
        events.insert_one({"user_id": "u1", "type": "login", "at": datetime.now(timezone.utc), "details": {}})
        _refused(lambda: events.update_many({}, {"$set": {"type": "logout"}}))
        _refused(lambda: events.delete_many({}))
        _refused(lambda: events.drop())
        _refused(lambda: events.drop_index("ttl_at"))
        if service == "security":
            assert events.find_one({"user_id": "u1"})["type"] == "login"
        else:
            _refused(lambda: events.find_one())
    finally:
        client.close()


def test_recording_never_fails_the_action(stack, http, new_user):
    """With the services' insert right taken away, a login still succeeds (and is not logged)."""
    user = new_user()
    admin = mongo_client(stack)
    try:
        admin.admin.command("updateRole", EVENTS_APPEND_ROLE, privileges=[
            {"resource": {"db": EVENTS_DB, "collection": EVENTS_COLLECTION}, "actions": ["find"]}])
        r = http.post("/api/authn/login", {"email": user.email, "password": user.password})
        assert r.status == 200 and r.payload["logged_in"] is True
        assert admin[EVENTS_DB][EVENTS_COLLECTION].count_documents({"user_id": user.user_id}) == 0
    finally:
        admin.admin.command("updateRole", EVENTS_APPEND_ROLE, privileges=EVENTS_APPEND_PRIVILEGES)
        admin.close()
