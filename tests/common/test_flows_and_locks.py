"""common.flows' Redis records and common.locks against the real Redis of the test stack."""
from __future__ import annotations

import time

import pytest
import redis

from common import flows, locks
from services.reset_password.flow import ResetFlow, ResetState
from tests.helpers import wait_for


@pytest.fixture
def app_context(make_app):
    with make_app("reset_password").app_context():
        yield


@pytest.fixture
def store(stack):
    client = redis.Redis(port=stack.ports["redis"])
    yield client
    client.close()


def test_a_flow_record_expires_with_the_flow(app_context, store):
    flow = ResetFlow.new(ResetState.verify, lifetime=60)
    flows.save_new(flow)
    assert flows.load(ResetFlow, flow.id) == flow
    assert 58_000 < store.pttl(ResetFlow.key(flow.id)) <= 60_000
    moved = flows.transition(ResetFlow, flow.id, ResetState.verify, ResetState.new_password, lifetime=5,
                             user_id="u1")
    assert flows.load(ResetFlow, flow.id) == moved and moved.data == {"user_id": "u1"}
    assert 3_000 < store.pttl(ResetFlow.key(flow.id)) <= 5_000


def test_the_loser_of_a_race_sees_the_state_that_won_and_writes_nothing(app_context):
    flow = ResetFlow.new(ResetState.verify, lifetime=60)
    flows.save_new(flow)
    won = flows.transition(ResetFlow, flow.id, ResetState.verify, ResetState.new_password, user_id="u1")
    with pytest.raises(flows.FlowConflict) as lost:  # read as "verify" before the winner wrote
        flows.transition(ResetFlow, flow.id, ResetState.verify, ResetState.new_password, user_id="u2")
    assert lost.value.flow == won
    assert flows.load(ResetFlow, flow.id) == won


def test_missing_and_expired_flows_are_not_found(app_context, store):
    with pytest.raises(flows.FlowNotFound):
        flows.load(ResetFlow, "no-such-flow")
    with pytest.raises(flows.FlowNotFound):
        flows.transition(ResetFlow, None, ResetState.verify, ResetState.new_password)
    flow = ResetFlow.new(ResetState.verify, lifetime=60, now=time.time() - 61)
    store.set(ResetFlow.key(flow.id), flow.encode(), ex=60)  # past its expiry, not yet dropped
    with pytest.raises(flows.FlowNotFound):
        flows.load(ResetFlow, flow.id)


def test_a_held_lock_refuses_a_second_holder_until_released(app_context):
    with locks.exclusive("user:u1"):
        with pytest.raises(locks.LockBusy):
            with locks.exclusive("user:u1"):
                pass
        with locks.exclusive("user:u2"):  # another user's lock is free
            pass
    with locks.exclusive("user:u1"):  # released on the way out
        pass


def test_a_holder_whose_lock_expired_never_releases_the_next_holders(app_context, store):
    key = locks.KEY_PREFIX + "user:u1"
    with locks.exclusive("user:u1", ttl_ms=100):
        assert wait_for(lambda: not store.exists(key), 5)
        store.set(key, "the next holder's token")
    assert store.get(key) == b"the next holder's token"
