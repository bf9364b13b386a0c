"""``common.events.batch``: the events of one action written together, in one insert."""
from __future__ import annotations

import pytest

from common import events
from common.events import EventType


class CountingCollection:
    """The events collection, counting the inserts sent to MongoDB."""

    def __init__(self, collection):
        self.collection = collection
        self.inserts: list[list[str]] = []

    def insert_many(self, documents, **kwargs):
        self.inserts.append([d["type"] for d in documents])
        return self.collection.insert_many(documents, **kwargs)


@pytest.fixture
def counted(monkeypatch) -> CountingCollection:
    real = events.events_collection
    counting = CountingCollection(None)
    monkeypatch.setattr(events, "events_collection", lambda: counting.__setattr__("collection", real()) or counting)
    return counting


def test_a_login_from_a_new_browser_writes_its_two_events_in_one_insert(api, new_user, counted, logged_events):
    user = new_user()
    r = api("authn").post("/api/authn/login", {"email": user.email, "password": user.password})
    assert r.status == 200, r
    assert counted.inserts == [["login", "new_device_login"]]
    assert [e["type"] for e in logged_events(user.user_id)] == ["login", "new_device_login"]


def test_a_batch_is_written_when_its_block_raises_and_a_record_outside_at_once(make_app, counted, logged_events):
    with make_app("authn").test_request_context():
        with pytest.raises(RuntimeError):
            with events.batch():
                events.record(EventType.login, "u-batch", {"method": "password"})
                events.record(EventType.logout, "u-batch")
                assert counted.inserts == []  # nothing written before the block ends
                raise RuntimeError("the action failed after its events happened")
        events.record(EventType.session_revoked, "u-batch")
    assert counted.inserts == [["login", "logout"], ["session_revoked"]]
    assert [e["type"] for e in logged_events("u-batch")] == ["login", "logout", "session_revoked"]
