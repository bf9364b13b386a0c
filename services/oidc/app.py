"""The oidc service: ``gunicorn 'services.oidc.app:create_app()'``."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from common.app import create_app as create_service_app
from services.oidc import server, store
from services.oidc.schemas import ConfigSchema
from services.oidc.views import bp


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the oidc app (configuration from etcd; ``overrides`` for tests). Raises
    ``services.oidc.clients.DevSecretInProduction`` when production uses a dev secret."""
    return create_service_app("oidc", bp, ConfigSchema, overrides=overrides,
                              init_hooks=(server.init_app, store.create_indexes))
