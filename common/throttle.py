"""Rate limiting (Flask-Limiter, counters in the shared Redis).

One ``limiter`` object for every service; views decorate themselves with
``@limiter.limit(...)`` and a limit string from their config. A breach raises
``RateLimitExceeded`` (a 429 ``HTTPException``), which ``common.errors`` renders as a
``request.throttled`` FAIL FSA with ``Retry-After``.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Callable

from flask import Flask, Response, current_app, request, session
from flask_limiter import Limiter

from common.addresses import normalize_email


def client_address() -> str:
    """The client's IP address as nginx saw it.

    nginx (the only way in) sets ``X-Real-IP``; ProxyFix is not used because it would
    trust a header the client can forge when a service is reached directly.
    """
    return request.headers.get("X-Real-IP") or request.remote_addr or "unknown"


def account_or_client() -> str:
    """Key for limits per account: ``user:<user_id>`` when the session is logged in,
    else the client address (``limiter.limit(..., key_func=account_or_client)``)."""
    user_id = session.get("user_id")
    return f"user:{user_id}" if user_id else client_address()


def configured(key: str) -> Callable[[], str]:
    """A limit read from the service's config key ``key`` (e.g. ``"5 per hour"``) at
    each request, so that the value in etcd (or a test's override) is what applies."""
    return lambda: current_app.config["TESSERA"][key]


def address_key(scope: str) -> Callable[[], str]:
    """A ``key_func`` for limits per e-mail address: the ``email`` of the JSON body,
    normalised, as an HMAC under the secret key — so a 429 reveals nothing about
    accounts, and Redis never holds an address (counters outlive a deleted account).
    It may run before the body is validated, hence the defensive reading."""
    def key() -> str:
        body = request.get_json(silent=True)
        address = body.get("email") if isinstance(body, dict) else None
        normalised = normalize_email(address) if isinstance(address, str) else ""
        digest = hmac.new(current_app.config["SECRET_KEY"].encode(), normalised.encode(), hashlib.sha256)
        return f"{scope}-address:{digest.hexdigest()}"
    return key


def per_client_and_address(client_limit: str, address_limit: str, scope: str) -> Callable[[Callable], Callable]:
    """The two limits of a route that mails something to the ``email`` of its body
    (signup's ``/register``, the reset's ``/start``): the config key ``client_limit`` per
    client address (one client trying many addresses) and ``address_limit`` per e-mail
    address whoever asks (``address_key(scope)``: many clients bombing one mailbox)."""
    def decorator(view: Callable) -> Callable:
        per_address = limiter.limit(configured(address_limit), key_func=address_key(scope))
        return limiter.limit(configured(client_limit))(per_address(view))
    return decorator


def failed(response: Response) -> bool:
    """``deduct_when`` for limits that count only failed answers (status 400 or more)."""
    return response.status_code >= 400


limiter = Limiter(key_func=client_address, headers_enabled=True, strategy="moving-window",
                  key_prefix="tessera:limits")


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app``, with storage in the Redis at ``TESSERA['redis_url']``."""
    app.config["RATELIMIT_STORAGE_URI"] = app.config["TESSERA"]["redis_url"]
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Flask-Limiter would set Retry-After on EVERY response of a limited route (even a
    # 200) and overwrite a view's own, shorter one (e.g. a code's resend wait) with the
    # limit's window. Its value goes to another header; Retry-After is only ever set by
    # a 429 (common.errors) or a view (RFC 9110 §10.2.3).
    app.config.setdefault("RATELIMIT_HEADER_RETRY_AFTER", "X-RateLimit-Retry-After")
    limiter.init_app(app)
