"""The authn service: ``gunicorn 'services.authn.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common.app import create_app as create_service_app
from services.authn.schemas import ConfigSchema
from services.authn.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the authn app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("authn", bp, ConfigSchema, overrides=overrides)
