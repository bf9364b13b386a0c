"""jsconfig's routes."""
from __future__ import annotations

from flask import Blueprint, current_app

from common.api import marshal, unmarshal
from common.csrf import get_csrf_token
from common.schemas import EmptyRequest
from services.jsconfig.schemas import JsConfigResponse

bp = Blueprint("jsconfig", __name__)


@bp.get("/config")
@unmarshal(EmptyRequest)
@marshal(JsConfigResponse)
def get_config() -> dict:
    """The SPA's configuration and this session's CSRF token."""
    config = current_app.config["TESSERA"]
    return {
        "csrf_token": get_csrf_token(),
        "services": config["services"],
        "languages": config["languages"],
        "default_language": config["default_language"],
        "password_policy": config["password_policy"],
        "phone_default_region": config["phone_default_region"],
        "version": config["version"],
    }
