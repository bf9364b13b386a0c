"""The signup and reset flows as state machines (pure: no Redis, no Flask)."""
from __future__ import annotations

import json

import pytest

from common.flows import FlowConflict, FlowDataInvalid, TransitionRefused
from services.reset_password.flow import ResetFlow, ResetState
from services.signup.flow import SignupFlow, SignupState

NOW = 1_800_000_000.0
ADA = {"email": "ada@example.org", "given_name": "Ada", "surname": "Lovelace", "language": "en", "taken": False}


def _signup(state: SignupState = SignupState.verify) -> SignupFlow:
    return SignupFlow(id="f1", state=state, expires_at=NOW + 600, data=ADA)


def test_a_new_flow_has_a_random_id_a_state_and_an_expiry():
    first = SignupFlow.new(SignupState.verify, lifetime=600, now=NOW, **ADA)
    second = SignupFlow.new(SignupState.verify, lifetime=600, now=NOW, **ADA)
    assert len(first.id) == 32 and first.id != second.id
    assert first.state is SignupState.verify and first.expires_at == NOW + 600
    assert first.email == "ada@example.org"


@pytest.mark.parametrize("state, to", [
    (SignupState.verify, SignupState.password),
    (SignupState.verify, SignupState.verify),       # registering again
    (SignupState.password, SignupState.verify),     # registering again after verify
    (SignupState.password, SignupState.done),
])
def test_signup_allowed_transitions(state, to):
    moved = _signup(state).advance(state, to, now=NOW)
    assert moved.state is to and moved.data == ADA


@pytest.mark.parametrize("state, to", [
    (SignupState.verify, SignupState.done),         # no account without a proven address
    (SignupState.done, SignupState.verify),
    (SignupState.done, SignupState.password),
])
def test_signup_refused_transitions(state, to):
    with pytest.raises(TransitionRefused):
        _signup(state).advance(state, to, now=NOW)


@pytest.mark.parametrize("state, to", [
    (ResetState.verify, ResetState.new_password),
    (ResetState.new_password, ResetState.done),
    (ResetState.new_password, ResetState.verify),   # a new start drops the permission
    (ResetState.done, ResetState.verify),
])
def test_reset_allowed_transitions(state, to):
    assert ResetFlow(id="r", state=state, expires_at=NOW + 1).advance(state, to, now=NOW).state is to


@pytest.mark.parametrize("state, to", [
    (ResetState.verify, ResetState.done),           # no password without a proven address
    (ResetState.done, ResetState.new_password),     # the permission is single use
    (ResetState.done, ResetState.done),
])
def test_reset_refused_transitions(state, to):
    with pytest.raises(TransitionRefused):
        ResetFlow(id="r", state=state, expires_at=NOW + 1).advance(state, to, now=NOW)


def test_a_transition_states_the_state_it_expects():
    verified = _signup(SignupState.password)
    with pytest.raises(FlowConflict) as refused:
        verified.advance(SignupState.verify, SignupState.password, now=NOW)
    assert refused.value.flow is verified  # the loser learns the state that won
    assert verified.advance((SignupState.verify, SignupState.password), SignupState.verify,
                            now=NOW).state is SignupState.verify


def test_data_is_merged_and_the_original_is_unchanged():
    flow = _signup(SignupState.password)
    done = flow.advance(SignupState.password, SignupState.done, now=NOW, user_id="u1")
    assert done.data == {**ADA, "user_id": "u1"}
    assert flow.state is SignupState.password and "user_id" not in flow.data


def test_expiry():
    flow = _signup()
    assert not flow.expired(NOW + 599) and flow.expired(NOW + 600)
    with pytest.raises(FlowConflict):  # an expired flow moves nowhere
        flow.advance(SignupState.verify, SignupState.password, now=NOW + 600)
    renewed = flow.advance(SignupState.verify, SignupState.password, now=NOW + 10, lifetime=300)
    assert renewed.expires_at == NOW + 310
    kept = flow.advance(SignupState.verify, SignupState.password, now=NOW + 10)
    assert kept.expires_at == NOW + 600


def test_record_round_trip_and_unstorable_data():
    flow = _signup(SignupState.password).advance(SignupState.password, SignupState.done, now=NOW, user_id="u1")
    raw = flow.encode()
    assert json.loads(raw)["state"] == "done"
    assert SignupFlow.decode(raw) == flow
    assert SignupFlow.key(flow.id) == "tessera:flow:signup:f1"
    with pytest.raises(FlowDataInvalid):  # a lone surrogate cannot be UTF-8: refused before any write
        SignupFlow.new(SignupState.verify, lifetime=1, **{**ADA, "given_name": "Ad\ud800a"}).encode()
