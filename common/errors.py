"""Errors as FSA responses — for every outcome, whoever raised it.

Views raise ``ApiError`` (or a subclass); Flask/Werkzeug raise ``HTTPException``;
client libraries raise connection errors that mean a backing service is down. Every one
of them becomes a FAIL FSA with a stable message key and the right status, and nothing
ever answers with HTML or a stack trace.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Mapping

import etcd
import pika.exceptions
import pymongo.errors
import redis.exceptions
from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException

from common import fsa
from common.messages import CommonMsg
from common.throttle import limiter

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An expected failure that the client should see.

    ``message`` is a translation key (a ``TranslatableMsg`` member or its string),
    ``status`` the HTTP status (default 400), ``errors`` field → list of messages,
    ``meta`` FSA meta (e.g. ``{"reauthn_required": True}``), ``extra`` more payload fields,
    ``headers`` extra response headers (e.g. ``Retry-After``).
    """

    def __init__(self, message: str, status: int = 400, *,
                 errors: Mapping[str, Any] | None = None,
                 meta: Mapping[str, Any] | None = None,
                 extra: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.status = status
        self.errors = errors
        self.meta = meta
        self.extra = extra
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        """Render as a FAIL FSA response."""
        response = fsa.fail(self.message, status=self.status, errors=self.errors,
                            meta=self.meta, extra=self.extra)
        response.headers.update(self.headers)
        return response


class BackendUnavailable(ApiError):
    """A backing service (``mongodb``, ``redis``, ``rabbitmq``, ``etcd``) cannot be reached: 503."""

    def __init__(self, backend: str) -> None:
        super().__init__(CommonMsg.backend_unavailable, 503, extra={"backend": backend},
                         headers={"Retry-After": "5"})
        self.backend = backend


#: Exceptions of the client libraries that mean "that backing service is down".
#: pymongo's ConnectionFailure covers ServerSelectionTimeoutError, AutoReconnect and
#: NetworkTimeout; pika's AMQPConnectionError covers a broker that is gone or refuses us.
BACKEND_ERRORS: dict[type[BaseException], str] = {
    redis.exceptions.ConnectionError: "redis",
    redis.exceptions.TimeoutError: "redis",
    pymongo.errors.ConnectionFailure: "mongodb",
    pika.exceptions.AMQPConnectionError: "rabbitmq",
    pika.exceptions.StreamLostError: "rabbitmq",
    pika.exceptions.ChannelWrongStateError: "rabbitmq",
    pika.exceptions.ConnectionWrongStateError: "rabbitmq",
    # a work queue that is not there (its definitions not loaded): the broker cannot
    # take the job, which is the same as the broker being down for this request
    pika.exceptions.UnroutableError: "rabbitmq",
    etcd.EtcdConnectionFailed: "etcd",
}


def _http_message(exc: HTTPException) -> str:
    """``404 Not Found`` → ``http.not_found``; 429 is ``request.throttled``."""
    if exc.code == 429:
        return CommonMsg.throttled
    name = (exc.name or "error").lower().replace(" ", "_").replace("-", "_")
    return f"http.{name}"


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that turn every exception into a FAIL FSA."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        if exc.status >= 500:
            logger.warning("answering %s %s", exc.status, exc.message)
        return exc.to_response()

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        # An exception outside the view (opening or saving the session, in Flask's
        # request finalisation) reaches us as a 500 wrapping the original error.
        original = getattr(exc, "original_exception", None)
        backend = backend_of(original) if original is not None else None
        if backend is not None:
            return _backend_handler(backend)(original)
        headers: dict[str, str] = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        if exc.code == 429:
            headers["Retry-After"] = str(_retry_after_seconds())
        response = fsa.fail(_http_message(exc), status=exc.code or 500)
        response.headers.update(headers)
        return response

    for exc_class, backend in BACKEND_ERRORS.items():
        app.register_error_handler(exc_class, _backend_handler(backend))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled exception")
        return fsa.fail(CommonMsg.internal_error, status=500)


def backend_of(exc: BaseException) -> str | None:
    """The backing service whose failure ``exc`` is (``redis``, ``mongodb``…), or None."""
    for exc_class, backend in BACKEND_ERRORS.items():
        if isinstance(exc, exc_class):
            return backend
    return None


def _backend_handler(backend: str):
    def handler(exc: BaseException) -> Response:
        logger.warning("backend %s unavailable: %s", backend, exc)
        g.backend_down = backend
        return BackendUnavailable(backend).to_response()
    return handler


def _retry_after_seconds() -> int:
    """Seconds until the breached rate limit resets (Flask-Limiter's view), at least 1."""
    try:
        current = limiter.current_limit
    except Exception:  # the limiter's storage may be what failed
        current = None
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))
