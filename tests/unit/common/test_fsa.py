"""FSA type naming (API.md, "Envelope") — pure logic, no backing services."""
from __future__ import annotations

import pytest
from flask import Flask

from common import fsa
from common.app import ServiceInfo


@pytest.fixture
def bare_app() -> Flask:
    app = Flask("bare")
    app.extensions["tessera"] = ServiceInfo(name="reset_password", url_name="reset-password")
    app.add_url_rule("/api/reset-password/resend-code", "resend", lambda: "", methods=["POST"])
    app.add_url_rule("/api/reset-password/item/<int:item_id>", "item", lambda item_id: "")
    return app


@pytest.mark.parametrize("path, method, outcome, expected", [
    # the route and the service folded: upper case, non-alphanumerics as _
    ("/api/reset-password/resend-code", "POST", "SUCCESS", "POST_RESET_PASSWORD_RESEND_CODE_SUCCESS"),
    ("/api/reset-password/resend-code", "POST", "FAIL", "POST_RESET_PASSWORD_RESEND_CODE_FAIL"),
    # a rule's arguments are dropped
    ("/api/reset-password/item/3", "GET", "SUCCESS", "GET_RESET_PASSWORD_ITEM_SUCCESS"),
    # before routing there is no route, and only FAIL
    ("/api/reset-password/nowhere", "DELETE", "FAIL", "DELETE_RESET_PASSWORD_FAIL"),
    ("/api/reset-password/nowhere", "DELETE", "SUCCESS", "DELETE_RESET_PASSWORD_FAIL"),
])
def test_action_type(bare_app: Flask, path: str, method: str, outcome: str, expected: str) -> None:
    with bare_app.test_request_context(path, method=method):
        assert fsa.action_type(outcome) == expected


def test_fail_body_shape(bare_app: Flask) -> None:
    with bare_app.test_request_context("/api/reset-password/nowhere"):
        response = fsa.fail("authn.required", status=401, errors={"email": ["x"]},
                            meta={"reauthn_required": True}, extra={"backend": "redis"})
        assert response.status_code == 401
        assert response.get_json() == {
            "type": "GET_RESET_PASSWORD_FAIL", "error": True,
            "payload": {"message": "authn.required", "errors": {"email": ["x"]}, "backend": "redis"},
            "meta": {"reauthn_required": True},
        }
