"""The reset-password service: ``gunicorn 'services.reset_password.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common import codes
from common.app import create_app as create_service_app
from common.db import mongo
from services.reset_password.schemas import ConfigSchema
from services.reset_password.views import bp


def _init_indexes(app: Flask) -> None:
    with app.app_context():
        codes.init_indexes(mongo().private)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the reset-password app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("reset_password", bp, ConfigSchema, overrides=overrides,
                              init_hooks=[_init_indexes])
