"""The app factory every Tessera service uses.

``create_app(name, blueprint, ConfigSchema)`` builds a Flask app that serves exactly one
service blueprint under ``/api/<url_name>`` plus the shared status routes, with its
configuration from etcd and every client bound through ``init_app``: JSON logs, FSA
errors, Redis, server-side sessions, CSRF, rate limits, MongoDB and AMQP.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from inspect import iscoroutinefunction
from typing import Any, Callable, Iterable, Mapping

from flask import Blueprint, Flask
from marshmallow import Schema

from common import amqp, csrf, db, errors, fsa, health, logs, metrics, redis_store, session, throttle
from common.config import load_config
from common.openapi import build_spec


@dataclass
class ServiceInfo:
    """``app.extensions['tessera']``: who this app is."""

    name: str
    url_name: str
    openapi: dict[str, Any] = field(default_factory=dict)


class TesseraFlask(Flask):
    """Flask, with ``ensure_sync`` answered once per function.

    Flask asks ``ensure_sync(f)`` before it calls every hook, error handler and view, on
    every request, and each answer costs an ``inspect.iscoroutinefunction`` (a walk
    through ``functools.partial``, ``__wrapped__`` and code flags): eleven of them per
    request here, ~5% of the Python time of a read that does no I/O (issue 15). A
    function is a coroutine function or not for as long as it lives, so the answer is
    kept, keyed by the function; the hooks and views are a fixed set, and ``MAX_SYNC_CACHE``
    bounds the table should something hand over new functions (bound methods made per
    call), which then are just answered as Flask would.
    """

    #: most functions whose ``ensure_sync`` answer is kept
    MAX_SYNC_CACHE = 512

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` itself when it is a plain function, else Flask's ``async_to_sync`` of it."""
        try:
            return self._sync_functions[func]
        except (KeyError, TypeError):  # TypeError: an unhashable callable
            pass
        sync = self.async_to_sync(func) if iscoroutinefunction(func) else func
        if len(self._sync_functions) < self.MAX_SYNC_CACHE:
            try:
                self._sync_functions[func] = sync
            except TypeError:
                pass
        return sync


def create_app(name: str, blueprint: Blueprint, config_schema: type[Schema], *,
               overrides: Mapping[str, Any] | None = None,
               init_hooks: Iterable[Callable[[Flask], None]] = ()) -> Flask:
    """Build the Flask app of service ``name`` (a package under ``services/``).

    ``blueprint`` is the service's only blueprint; it is mounted at ``/api/<url_name>``
    (``personal_data`` → ``/api/personal-data``). ``overrides`` replaces config keys
    after etcd (tests only). ``init_hooks`` are called with the app last, e.g. to create
    indexes. Raises ``common.config.ConfigError`` when the configuration is unusable.
    """
    config = load_config(name, config_schema, overrides=overrides)
    url_name = name.replace("_", "-")
    logs.configure(name, config["log_level"])

    app = TesseraFlask(name, static_folder=None)
    # No automatic OPTIONS answers: nothing here needs a CORS preflight (one origin), nginx
    # refuses OPTIONS on /api/, and a 405's Allow then lists only the methods that work.
    app.config.update(TESSERA=config, SECRET_KEY=config["secret_key"],
                      MAX_CONTENT_LENGTH=config["max_content_length"], JSON_SORT_KEYS=False,
                      PROVIDE_AUTOMATIC_OPTIONS=False)
    app.extensions["tessera"] = ServiceInfo(name=name, url_name=url_name)

    logs.init_app(app)
    metrics.instrument_app(app)
    errors.register_error_handlers(app)
    app.after_request(fsa.no_store)
    redis_store.init_app(app)
    session.init_app(app)
    csrf.init_app(app)
    throttle.init_app(app)
    db.init_app(app, name)
    amqp.init_app(app)
    health.init_app(app, url_name)
    app.register_blueprint(blueprint, url_prefix=f"/api/{url_name}")
    for hook in init_hooks:
        hook(app)
    app.extensions["tessera"].openapi = build_spec(app, f"Tessera {name}", config["version"])
    return app
