"""CSRF protection: the synchronizer token pattern (OWASP CSRF Prevention Cheat Sheet).

The token is a 256-bit random value kept in the server-side session; every request with
a method other than GET/HEAD/OPTIONS must send it in ``X-CSRF-Token``, else 403
``csrf.invalid``. Because the session lives on the server, the token needs no signature
or expiry of its own: it dies with the session and is replaced with it at login/logout.

Flask-WTF's CSRFProtect was considered: it answers 400 with HTML, caches the token on
``g`` (stale after a session rotation in the same request) and signs a value that is
already secret; this module is the 30 lines it would take to work around that.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Callable

from flask import Flask, current_app, request, session

from common.errors import ApiError
from common.messages import CommonMsg

HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf_token")
    if not token:
        token = new_csrf_token()
    return token


def new_csrf_token() -> str:
    """Replace the session's CSRF token and return the new one."""
    token = secrets.token_urlsafe(32)
    session["csrf_token"] = token
    return token


#: the mark of a protocol endpoint (``protocol_endpoint``)
PROTOCOL_ATTR = "tessera_protocol_endpoint"


def protocol_endpoint(view: Callable) -> Callable:
    """Mark ``view`` as an OAuth/OIDC protocol endpoint (API.md's one exception to the
    envelope): its callers authenticate with client credentials or bearer tokens, not
    the session cookie, so no CSRF token is asked for, and it is no part of the
    service's OpenAPI document (``common.openapi``)."""
    setattr(view, PROTOCOL_ATTR, True)
    return view


def check_csrf() -> None:
    """``before_request``: raise ApiError 403 ``csrf.invalid`` unless the header matches
    (protocol endpoints excepted)."""
    if request.method in SAFE_METHODS:
        return
    if getattr(current_app.view_functions.get(request.endpoint or ""), PROTOCOL_ATTR, False):
        return
    sent = request.headers.get(HEADER, "")
    expected = session.get("csrf_token", "")
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ApiError(CommonMsg.csrf_invalid, 403)


def init_app(app: Flask) -> None:
    """Check CSRF before every request of ``app``."""
    app.before_request(check_csrf)
