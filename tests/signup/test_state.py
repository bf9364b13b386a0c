"""GET /api/signup/state and the service's shared routes."""
from __future__ import annotations

from tests.signup.conftest import PASSWORD, person


def test_steps(api, fixed_code):
    client = api("signup")
    r = client.get("/api/signup/state")
    assert r.status == 200
    assert r.type == "GET_SIGNUP_STATE_SUCCESS"
    assert r.payload == {"step": "register"}
    client.post("/api/signup/register", person("ada@example.org"))
    verify = client.get("/api/signup/state").payload
    # resend_in: the page's "send a new code" waits until the throttle allows one (30 s)
    assert 1 <= verify.pop("resend_in") <= 31
    assert verify == {"step": "verify", "email": "ada@example.org"}
    client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    assert client.get("/api/signup/state").payload == {"step": "password", "email": "ada@example.org"}
    client.post("/api/signup/password", {"password": PASSWORD})
    assert client.get("/api/signup/state").payload == {"step": "done", "email": "ada@example.org"}


def test_a_new_registration_restarts_the_flow(api, fixed_code):
    client = api("signup")
    client.post("/api/signup/register", person("ada@example.org"))
    client.post("/api/signup/verify", {"email": "ada@example.org", "code": fixed_code})
    client.post("/api/signup/register", person("grace@example.org"))
    state = client.get("/api/signup/state").payload
    assert (state["step"], state["email"]) == ("verify", "grace@example.org")


def test_wrong_method(api):
    r = api("signup").post("/api/signup/state")
    assert r.status == 405
    assert r.body["error"] is True


def test_openapi_describes_the_routes(api):
    r = api("signup").get("/api/signup/openapi.json")
    assert r.status == 200
    paths = r.body["paths"]
    for route in ("register", "verify", "password", "resend-code", "state"):
        assert f"/api/signup/{route}" in paths
