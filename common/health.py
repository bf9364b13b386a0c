"""The shared status routes: ``/status/healthy`` and ``/openapi.json``.

``GET /api/<service>/status/healthy`` checks each backing service with a real round
trip (MongoDB ``ping``, Redis ``PING``, an AMQP connection, etcd's ``/version``) and
answers 200, or 503 ``backend.unavailable`` naming the first that failed.
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, jsonify

from common import fsa
from common.amqp import amqp
from common.api import marshal
from common.config import etcd_client
from common.db import mongo
from common.errors import BACKEND_ERRORS
from common.messages import CommonMsg
from common.redis_store import redis_client
from common.schemas import HealthResponse

logger = logging.getLogger(__name__)


def _check_mongodb() -> None:
    mongo().client.admin.command("ping")


def _check_redis() -> None:
    redis_client().ping()


def _check_rabbitmq() -> None:
    amqp().check()


def _check_etcd() -> None:
    etcd_client().version  # noqa: B018 - the property performs GET /version


CHECKS: dict[str, Callable[[], None]] = {
    "mongodb": _check_mongodb,
    "redis": _check_redis,
    "rabbitmq": _check_rabbitmq,
    "etcd": _check_etcd,
}


def run_checks() -> dict[str, str]:
    """``{backend: "ok" | "down"}`` for every backing service."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except tuple(BACKEND_ERRORS) as exc:
            logger.warning("health check %s failed: %s", name, exc)
            results[name] = "down"
    return results


def status_blueprint(url_name: str) -> Blueprint:
    """The status routes of a service mounted at ``/api/<url_name>``."""
    bp = Blueprint("status", __name__, url_prefix=f"/api/{url_name}")

    @bp.get("/status/healthy")
    @marshal(HealthResponse)  # documented like any view (common.openapi reads what marshal records)
    def healthy() -> Response | dict:
        """Whether every backing service answers."""
        checks = run_checks()
        down = [name for name, state in checks.items() if state != "ok"]
        if down:
            return fsa.fail(CommonMsg.backend_unavailable, status=503,
                            extra={"backend": down[0], "checks": checks})
        return {"status": "ok", "checks": checks}

    @bp.get("/openapi.json")
    def openapi() -> Response:
        """This service's OpenAPI 3 document (plain JSON, not an FSA: it is a document)."""
        return jsonify(current_app.extensions["tessera"].openapi)

    return bp


def init_app(app: Flask, url_name: str) -> None:
    """Register the status routes on ``app``."""
    app.register_blueprint(status_blueprint(url_name))
