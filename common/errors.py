"""Errors as FSA responses — for every outcome, whoever raised it.

Views raise ``ApiError`` (or a subclass); the data layer raises ``common.domain``
errors, given their status and message key here, once (``DOMAIN_ANSWERS``); Flask/Werkzeug
raise ``HTTPException``; client libraries raise connection errors that mean a backing
service is down. Every one of them becomes a FAIL FSA with a stable message key and the
right status, and nothing ever answers with HTML or a stack trace.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Mapping

import etcd
import pika.exceptions
import pymongo.errors
import redis.exceptions
from flask import Flask, Response, g
from werkzeug.exceptions import HTTPException

from common import domain, fsa
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


@dataclass(frozen=True)
class DomainAnswer:
    """How a ``common.domain`` error is answered: ``status``, and ``key`` — the message
    when the error carries none of its own (an error's own key, e.g. the service's
    ``code_invalid`` or the AM's reason, wins)."""

    status: int
    key: str | None = None


#: Every domain error's answer, the one place where the data layer's failures get an
#: HTTP status (API.md: 400 invalid, 401 not logged in, 404, 409 conflict, 429 throttled).
DOMAIN_ANSWERS: dict[type[domain.DomainError], DomainAnswer] = {
    # the logged-in user is gone (deleted while this session lived): no longer logged in
    domain.UserNotFound: DomainAnswer(401, CommonMsg.authn_required),
    domain.VersionConflict: DomainAnswer(409, CommonMsg.conflict),
    domain.SyncRefused: DomainAnswer(409, CommonMsg.conflict),
    domain.WeakPassword: DomainAnswer(400),
    domain.CodeExpired: DomainAnswer(400),
    domain.CodeInvalid: DomainAnswer(400),
    domain.CodeLocked: DomainAnswer(429),
    domain.CodeThrottled: DomainAnswer(429),
    domain.NotOnList: DomainAnswer(404),
    domain.AlreadyOnList: DomainAnswer(409),
    domain.ListFull: DomainAnswer(400),
    domain.NotVerified: DomainAnswer(400),
    domain.AlreadyVerified: DomainAnswer(400),
    domain.PrimaryNotRemovable: DomainAnswer(400),
}


def domain_answer(exc: domain.DomainError) -> ApiError:
    """The ``ApiError`` that answers ``exc``: ``DOMAIN_ANSWERS``' status; the error's key
    (else the table's); ``errors`` = ``{field: reasons or [key]}`` when the error names a
    field; ``details`` as payload fields; ``retry_after`` as ``Retry-After`` (API.md: every
    429 carries it). Raises KeyError for a domain error that has no answer (a defect)."""
    answer = next((DOMAIN_ANSWERS[cls] for cls in type(exc).__mro__ if cls in DOMAIN_ANSWERS), None)
    if answer is None:
        raise KeyError(f"no answer for the domain error {type(exc).__name__}")
    key = str(exc.key or answer.key)
    errors = None
    if exc.field is not None:
        errors = {exc.field: [str(r) for r in exc.reasons] if exc.reasons is not None else [key]}
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return ApiError(key, answer.status, errors=errors, extra=exc.details or None, headers=headers)


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


#: The key of each HTTP error that Werkzeug, Flask or Flask-Limiter raise (no route, a
#: method the route lacks, a body too large, a rate limit), by status: the key nginx uses
#: for the same error (``fsa.GatewayMsg``), so an error has one key whoever answers it.
HTTP_MESSAGES: dict[int, str] = {
    400: fsa.GatewayMsg.bad_request,
    401: CommonMsg.authn_required,  # API.md: 401 is "not logged in"
    404: fsa.GatewayMsg.not_found,
    405: fsa.GatewayMsg.method_not_allowed,
    413: fsa.GatewayMsg.request_entity_too_large,
    414: fsa.GatewayMsg.request_uri_too_large,
    429: CommonMsg.throttled,
    431: fsa.GatewayMsg.request_header_fields_too_large,
    500: fsa.GatewayMsg.internal_server_error,
    501: fsa.GatewayMsg.not_implemented,
    505: fsa.GatewayMsg.http_version_not_supported,
}


def http_message(status: int) -> str:
    """The message key of an HTTP error of ``status`` (``HTTP_MESSAGES``); another 4xx is
    ``http.bad_request`` and another 5xx ``http.internal_server_error`` — keys the SPA
    translates, where a key made from the status's name might not be."""
    if status in HTTP_MESSAGES:
        return HTTP_MESSAGES[status]
    return fsa.GatewayMsg.bad_request if status < 500 else fsa.GatewayMsg.internal_server_error


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that turn every exception into a FAIL FSA."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        if exc.status >= 500:
            logger.warning("answering %s %s", exc.status, exc.message)
        return exc.to_response()

    @app.errorhandler(domain.DomainError)
    def _domain_error(exc: domain.DomainError) -> Response:
        return domain_answer(exc).to_response()

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
            headers["Retry-After"] = str(_retry_after_seconds(exc))
        response = fsa.fail(http_message(exc.code or 500), status=exc.code or 500)
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


#: ``flask.g`` attribute naming the backing service this request found down
_FAILED_BACKEND = "tessera_failed_backend"


def failed_backend() -> str | None:
    """The backing service (``redis``, ``mongodb``…) this request is being answered 503
    for, or None. The session interface reads it so as not to save a session into a
    Redis that is down (a second failure while the 503 is being sent)."""
    return g.get(_FAILED_BACKEND)


def _backend_handler(backend: str):
    def handler(exc: BaseException) -> Response:
        logger.warning("backend %s unavailable: %s", backend, exc)
        setattr(g, _FAILED_BACKEND, backend)
        return BackendUnavailable(backend).to_response()
    return handler


def _retry_after_seconds(exc: HTTPException) -> int:
    """Seconds until the 429 ``exc`` is over, at least 1: its own ``retry_after`` when the
    raiser knows it (``common.throttle.FailuresThrottled``), else when the breached
    Flask-Limiter limit resets."""
    own = getattr(exc, "retry_after", None)
    if isinstance(own, int):
        return max(1, own)
    try:
        current = limiter.current_limit
    except Exception:  # the limiter's storage may be what failed
        current = None
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))
