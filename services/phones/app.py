"""The phones service: ``gunicorn 'services.phones.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common import codes
from common.app import create_app as create_service_app
from services.phones.schemas import ConfigSchema
from services.phones.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the phones app (configuration from etcd; ``overrides`` for tests)."""
    return create_service_app("phones", bp, ConfigSchema, overrides=overrides, init_hooks=[codes.index_hook])
