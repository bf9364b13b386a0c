"""The app factory's shared behaviour, on a probe service built with ``create_app``
against the real etcd, Redis, MongoDB and RabbitMQ of the test stack."""
from __future__ import annotations

import time

import pytest
from flask import Blueprint, Flask
from marshmallow import fields

from common.api import Result, marshal, unmarshal
from common.app import create_app
from common.authn import login_required, recent_authn_required
from common.config import CommonConfigSchema
from common.schemas import EmptyRequest, EmptyResponse, TesseraSchema
from common.session import login
from tests.helpers import ApiClient, borrowed_login

probe = Blueprint("probe", __name__)


class EchoRequest(TesseraSchema):
    name = fields.String(required=True)
    count = fields.Integer(load_default=1)


class EchoResponse(TesseraSchema):
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class LoginResponse(TesseraSchema):
    csrf_token = fields.String(required=True)


@probe.post("/echo")
@unmarshal(EchoRequest)
@marshal(EchoResponse)
def echo(name: str, count: int) -> Result:
    """Echo the request back, created."""
    return Result({"name": name, "count": count}, status=201, meta={"echo": True})


@probe.get("/private")
@unmarshal(EmptyRequest)
@marshal(EmptyResponse)
@login_required
def private() -> dict:
    return {}


@probe.post("/sensitive")
@unmarshal(EmptyRequest)
@marshal(EmptyResponse)
@recent_authn_required
def sensitive() -> dict:
    return {}


@probe.post("/login")
@unmarshal(EmptyRequest)
@marshal(LoginResponse)
def do_login() -> dict:
    return {"csrf_token": login("user-1")}


@probe.get("/boom")
def boom():
    raise RuntimeError("secret internals")


@pytest.fixture
def app(stack) -> Flask:
    application = create_app("probe", probe, CommonConfigSchema, overrides=borrowed_login(stack))
    application.config["TESTING"] = True
    yield application
    application.extensions["tessera.amqp"].close()


@pytest.fixture
def client(app: Flask) -> ApiClient:
    return ApiClient(app.test_client())


def test_success_is_an_fsa_with_status_and_meta(client: ApiClient) -> None:
    r = client.post("/api/probe/echo", {"name": "Ada", "count": 2})
    assert r.status == 201
    assert r.body == {"type": "POST_PROBE_ECHO_SUCCESS", "payload": {"name": "Ada", "count": 2}, "meta": {"echo": True}}


def test_unknown_field_is_rejected(client: ApiClient) -> None:
    r = client.post("/api/probe/echo", {"name": "Ada", "admin": True})
    assert r.status == 400
    assert r.type == "POST_PROBE_ECHO_FAIL"
    assert r.message == "request.invalid"
    assert r.errors == {"admin": ["validation.unknown_field"]}


def test_missing_and_wrong_typed_fields(client: ApiClient) -> None:
    r = client.post("/api/probe/echo", {"count": "many"})
    assert r.status == 400
    assert set(r.errors) == {"name", "count"}


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"{"])
def test_body_that_is_not_a_json_object(client: ApiClient, body: bytes) -> None:
    r = client.client.post("/api/probe/echo", data=body, content_type="application/json",
                           headers={"X-CSRF-Token": client.csrf_token()})
    assert r.status_code == 400
    assert r.get_json()["payload"]["message"] == "request.not_json"


def test_csrf_missing_wrong_and_right(client: ApiClient) -> None:
    assert client.post("/api/probe/echo", {"name": "x"}, csrf=False).status == 403
    wrong = client.post("/api/probe/echo", {"name": "x"}, csrf=False, headers={"X-CSRF-Token": "nope"})
    assert (wrong.status, wrong.message, wrong.type) == (403, "csrf.invalid", "POST_PROBE_ECHO_FAIL")
    assert client.post("/api/probe/echo", {"name": "x"}).status == 201


def test_not_found_and_method_not_allowed_are_fsas(client: ApiClient) -> None:
    r = client.get("/api/probe/nowhere")
    assert (r.status, r.body) == (404, {"type": "GET_PROBE_FAIL", "error": True, "payload": {"message": "http.not_found"}})
    r = client.get("/api/probe/echo")
    assert (r.status, r.message) == (405, "http.method_not_allowed")
    assert "POST" in r.headers["Allow"]


def test_unexpected_error_is_a_500_fsa_without_internals(client: ApiClient) -> None:
    r = client.get("/api/probe/boom")
    assert r.status == 500
    assert r.body == {"type": "GET_PROBE_BOOM_FAIL", "error": True, "payload": {"message": "http.internal_server_error"}}


def test_body_over_the_limit_is_413_fsa(client: ApiClient) -> None:
    r = client.post("/api/probe/echo", {"name": "x" * 2_000_000})
    assert (r.status, r.message) == (413, "http.request_entity_too_large")


def test_login_required_and_recent_authn(client: ApiClient) -> None:
    r = client.get("/api/probe/private")
    assert (r.status, r.message) == (401, "authn.required")
    client.login_as("user-1", auth_age=10_000)
    assert client.get("/api/probe/private").status == 200
    r = client.post("/api/probe/sensitive")
    assert (r.status, r.message, r.body["meta"]) == (403, "authn.reauthn_required", {"reauthn_required": True})
    client.login_as("user-1", auth_age=5)
    assert client.post("/api/probe/sensitive").status == 200


def test_session_cookie_flags_and_rotation_at_login(client: ApiClient) -> None:
    client.csrf_token()
    before = client.client.get_cookie("tessera_session").value
    r = client.post("/api/probe/login")
    assert r.status == 200
    cookie = client.client.get_cookie("tessera_session")
    assert cookie.value != before
    assert cookie.http_only and cookie.same_site == "Lax" and cookie.path == "/"
    assert r.payload["csrf_token"] != "" and client.csrf_token() == r.payload["csrf_token"]
    assert client.get("/api/probe/private").status == 200


def test_old_session_id_is_dead_after_rotation(app: Flask, client: ApiClient) -> None:
    client.csrf_token()
    old = client.client.get_cookie("tessera_session").value
    client.post("/api/probe/login")
    replay = app.test_client()
    replay.set_cookie("tessera_session", old)
    assert replay.get("/api/probe/private").status_code == 401


def test_tampered_cookie_is_no_session(app: Flask, client: ApiClient) -> None:
    client.csrf_token()
    client.post("/api/probe/login")
    value = client.client.get_cookie("tessera_session").value
    sid, _, signature = value.rpartition(".")
    forged = app.test_client()
    forged.set_cookie("tessera_session", sid + "." + ("A" if signature[0] != "A" else "B") + signature[1:])
    assert forged.get("/api/probe/private").status_code == 401
    unsigned = app.test_client()
    unsigned.set_cookie("tessera_session", sid)
    assert unsigned.get("/api/probe/private").status_code == 401


def test_absolute_lifetime_ends_session(client: ApiClient) -> None:
    client.login_as("user-1")
    with client.client.session_transaction() as session:
        session["login_time"] = int(time.time()) - 43_201
    assert client.get("/api/probe/private").status == 401


def test_request_id_is_echoed(client: ApiClient) -> None:
    r = client.get("/api/probe/private", headers={"X-Request-Id": "abc123"})
    assert r.headers["X-Request-Id"] == "abc123"
    assert len(client.get("/api/probe/private").headers["X-Request-Id"]) == 32


def test_openapi_document_describes_schemas(client: ApiClient) -> None:
    r = client.client.get("/api/probe/openapi.json")
    spec = r.get_json()
    assert spec["openapi"] == "3.0.3"
    echo = spec["paths"]["/api/probe/echo"]["post"]
    assert echo["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EchoRequest"}
    assert "/api/probe/status/healthy" in spec["paths"]
    assert spec["components"]["schemas"]["EchoRequest"]["additionalProperties"] is False
    assert set(spec["components"]["schemas"]["EchoRequest"]["properties"]) == {"name", "count"}


def test_healthy_checks_every_backend(client: ApiClient) -> None:
    r = client.get("/api/probe/status/healthy")
    assert r.status == 200
    assert r.payload == {"status": "ok", "checks": {"mongodb": "ok", "redis": "ok", "rabbitmq": "ok", "etcd": "ok"}}
