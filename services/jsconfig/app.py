"""The jsconfig service: ``gunicorn 'services.jsconfig.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common.app import create_app as create_service_app
from services.jsconfig.schemas import ConfigSchema
from services.jsconfig.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the jsconfig app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("jsconfig", bp, ConfigSchema, overrides=overrides)
