"""GET /api/reset-password/state: a reloaded reset page keeps its step (issue 14, defect 6)."""
from __future__ import annotations

from tests.helpers import code_in, text_of

STATE = "/api/reset-password/state"


def test_a_new_session_is_at_the_start(api):
    r = api("reset_password").get(STATE)
    assert (r.status, r.type, r.payload) == (200, "GET_RESET_PASSWORD_STATE_SUCCESS", {"step": "start"})


def test_the_steps_of_a_reset_with_the_typed_address_and_the_resend_wait(api, new_user, outbox):
    user = new_user()
    client = api("reset_password")
    assert client.post("/api/reset-password/start", {"email": user.email.upper()}).status == 200
    state = client.get(STATE).payload
    assert (state["step"], state["email"]) == ("verify", user.email)
    assert 1 <= state["resend_in"] <= 31  # resend_interval 30 s: "send a new code" waits that long
    [mail] = outbox.wait_for_mail(user.email)
    assert client.post("/api/reset-password/verify", {"email": user.email, "code": code_in(text_of(mail))}).status == 200
    assert client.get(STATE).payload == {"step": "new_password", "email": user.email}
    assert client.post("/api/reset-password/new-password", {"password": "a long and unusual passphrase 42"}).status == 200
    assert client.get(STATE).payload == {"step": "done"}


def test_an_unknown_address_looks_the_same(api):
    client = api("reset_password")
    assert client.post("/api/reset-password/start", {"email": "nobody-at-all@example.org"}).status == 200
    state = client.get(STATE).payload
    assert (state["step"], state["email"]) == ("verify", "nobody-at-all@example.org")
    assert state["resend_in"] >= 1


def test_another_session_sees_nothing(api):
    assert api("reset_password").post("/api/reset-password/start", {"email": "x-someone@example.org"}).status == 200
    assert api("reset_password").get(STATE).payload == {"step": "start"}
