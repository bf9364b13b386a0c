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


def test_type_folds_route_and_service(bare_app: Flask) -> None:
    with bare_app.test_request_context("/api/reset-password/resend-code", method="POST"):
        assert fsa.action_type("SUCCESS") == "POST_RESET_PASSWORD_RESEND_CODE_SUCCESS"
        assert fsa.action_type("FAIL") == "POST_RESET_PASSWORD_RESEND_CODE_FAIL"


def test_type_drops_rule_arguments(bare_app: Flask) -> None:
    with bare_app.test_request_context("/api/reset-password/item/3"):
        assert fsa.action_type("SUCCESS") == "GET_RESET_PASSWORD_ITEM_SUCCESS"


def test_type_before_routing_has_no_route(bare_app: Flask) -> None:
    with bare_app.test_request_context("/api/reset-password/nowhere", method="DELETE"):
        assert fsa.action_type("FAIL") == "DELETE_RESET_PASSWORD_FAIL"
        assert fsa.action_type("SUCCESS") == "DELETE_RESET_PASSWORD_FAIL"


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
