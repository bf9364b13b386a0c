"""Flux Standard Action responses (API.md, "Envelope").

Every body under ``/api/`` is ``{"type": ..., "payload": ..., "error"?: true, "meta"?: ...}``
so that the SPA can dispatch it into its Redux store without looking at it.
The type is ``<METHOD>_<SERVICE>_<ROUTE>_SUCCESS|_FAIL``: upper case, every run of
non-alphanumerics folded to ``_``. Before a route is matched it is ``<METHOD>_<SERVICE>_FAIL``.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from flask import Response, current_app, jsonify, request

_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_RULE_ARGS = re.compile(r"<[^>]*>")


def _fold(text: str) -> str:
    return _NON_ALNUM.sub("_", text).strip("_").upper()


def action_type(outcome: str) -> str:
    """Return the FSA type of the current request, e.g. ``POST_EMAILS_RESEND_CODE_SUCCESS``.

    ``outcome`` is ``"SUCCESS"`` or ``"FAIL"``. The route is the matched URL rule relative
    to the service's prefix ``/api/<url_name>``; requests that matched no rule get
    ``<METHOD>_<SERVICE>_FAIL``.
    """
    service = current_app.extensions["tessera"].url_name
    parts = [request.method, service]
    rule = request.url_rule.rule if request.url_rule is not None else None
    if rule is not None:
        prefix = f"/api/{service}"
        route = rule[len(prefix):] if rule.startswith(prefix) else rule
        parts.append(_RULE_ARGS.sub("", route))
        parts.append(outcome)
    else:
        parts.append("FAIL")
    return "_".join(p for p in (_fold(x) for x in parts) if p)


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
