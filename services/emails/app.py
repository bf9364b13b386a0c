"""The emails service: ``gunicorn 'services.emails.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common import codes
from common.app import create_app as create_service_app
from services.emails.schemas import ConfigSchema
from services.emails.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the emails app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("emails", bp, ConfigSchema, overrides=overrides, init_hooks=[codes.index_hook])
