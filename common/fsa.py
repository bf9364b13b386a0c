"""Flux Standard Action responses (API.md, "Envelope").

Every body under ``/api/`` is ``{"type": ..., "payload": ..., "error"?: true, "meta"?: ...}``
so that the SPA can dispatch it into its Redux store without looking at it.
The type is ``<METHOD>_<SERVICE>_<ROUTE>_SUCCESS|_FAIL``: upper case, every run of
non-alphanumerics folded to ``_``. Before a route is matched it is ``<METHOD>_<SERVICE>_FAIL``.

Every answer also carries ``Cache-Control: no-store`` (``no_store``, an ``after_request``
of the app factory): API answers hold personal data and session state, which no browser
or proxy cache may keep (API.md; OWASP Session Management Cheat Sheet, "Web Content
Caching").
"""
from __future__ import annotations

import functools
import re
from enum import unique
from typing import Any, Mapping

from flask import Response, current_app, jsonify, request

from common.messages import TranslatableMsg

@unique
class GatewayMsg(TranslatableMsg):
    """The keys of the errors nginx answers itself (``nginx/tessera.conf.template``), in
    the envelope of this module; named as ``common.errors`` names Werkzeug's, so an error
    has one key whichever of the two answers it."""

    bad_request = "http.bad_request"
    not_found = "http.not_found"
    method_not_allowed = "http.method_not_allowed"
    request_entity_too_large = "http.request_entity_too_large"
    request_uri_too_large = "http.request_uri_too_large"
    #: nginx's 494, answered 431 (RFC 6585 §5)
    request_header_fields_too_large = "http.request_header_fields_too_large"
    internal_server_error = "http.internal_server_error"
    #: a Transfer-Encoding other than chunked
    not_implemented = "http.not_implemented"
    http_version_not_supported = "http.http_version_not_supported"
    backend_unavailable = "backend.unavailable"


_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_RULE_ARGS = re.compile(r"<[^>]*>")


def fold(text: str) -> str:
    """``text`` as a part of an FSA type: upper case, every run of non-alphanumerics one ``_``."""
    return _NON_ALNUM.sub("_", text).strip("_").upper()


def action_type(outcome: str) -> str:
    """Return the FSA type of the current request, e.g. ``POST_EMAILS_RESEND_CODE_SUCCESS``.

    ``outcome`` is ``"SUCCESS"`` or ``"FAIL"``. The route is the matched URL rule relative
    to the service's prefix ``/api/<url_name>``; requests that matched no rule get
    ``<METHOD>_<SERVICE>_FAIL``.
    """
    rule = request.url_rule.rule if request.url_rule is not None else None
    return _action_type(request.method, current_app.extensions["tessera"].url_name, rule, outcome)


@functools.lru_cache(maxsize=1024)
def _action_type(method: str, service: str, rule: str | None, outcome: str) -> str:
    """``action_type`` of one (method, service, URL rule, outcome): the same on every
    request of a route, so folded once (issue 15: no per-request work that can be done
    once); unmatched requests (rule None) all share one entry per method."""
    parts = [method, service]
    if rule is not None:
        prefix = f"/api/{service}"
        route = rule[len(prefix):] if rule.startswith(prefix) else rule
        parts.append(_RULE_ARGS.sub("", route))
        parts.append(outcome)
    else:
        parts.append("FAIL")
    return "_".join(p for p in (fold(x) for x in parts) if p)


def success(payload: Mapping[str, Any] | None = None, *, status: int = 200,
            meta: Mapping[str, Any] | None = None) -> Response:
    """A SUCCESS FSA response with ``payload`` (a JSON-serialisable mapping)."""
    body: dict[str, Any] = {"type": action_type("SUCCESS"), "payload": dict(payload or {})}
    if meta:
        body["meta"] = dict(meta)
    response = jsonify(body)
    response.status_code = status
    return response


def fail(message: str, *, status: int = 400, errors: Mapping[str, Any] | None = None,
         meta: Mapping[str, Any] | None = None,
         extra: Mapping[str, Any] | None = None) -> Response:
    """A FAIL FSA response: ``payload.message`` is the translation key ``message``,
    ``payload.errors`` maps field → list of messages, ``extra`` adds payload fields
    (e.g. ``{"backend": "redis"}``)."""
    payload: dict[str, Any] = {"message": str(message)}
    if errors:
        payload["errors"] = dict(errors)
    if extra:
        payload.update(extra)
    body: dict[str, Any] = {"type": action_type("FAIL"), "error": True, "payload": payload}
    if meta:
        body["meta"] = dict(meta)
    response = jsonify(body)
    response.status_code = status
    return response


#: The Cache-Control of every API answer (RFC 9111 §5.2.2.5: store nothing, anywhere).
NO_STORE = "no-store"


def no_store(response: Response) -> Response:
    """``after_request`` hook: set ``Cache-Control: no-store`` on ``response``, replacing
    any other value, and return it. As an ``after_request`` it also reaches the answers
    of error handlers (Flask/Werkzeug's 404/405, the limiter's 429, a 500) and of routes
    that build their response without this module (the OpenAPI document, health)."""
    response.headers["Cache-Control"] = NO_STORE
    return response
