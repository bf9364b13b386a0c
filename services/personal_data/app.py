"""The personal_data service: ``gunicorn 'services.personal_data.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common.app import create_app as create_service_app
from services.personal_data.schemas import ConfigSchema
from services.personal_data.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the personal_data app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("personal_data", bp, ConfigSchema, overrides=overrides)
