"""The signup service: ``gunicorn 'services.signup.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common import codes
from common.app import create_app as create_service_app
from services.signup.schemas import ConfigSchema
from services.signup.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the signup app (configuration from etcd; ``overrides`` for tests).

    The code indexes (one code per flow and address, TTL) are created at start."""
    return create_service_app("signup", bp, ConfigSchema, overrides=overrides, init_hooks=[codes.index_hook])
