"""The security service: ``gunicorn 'services.security.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common.app import create_app as create_service_app
from services.security.schemas import ConfigSchema
from services.security.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the security app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("security", bp, ConfigSchema, overrides=overrides)
