"""Rate limiting (Flask-Limiter, counters in the shared Redis).

One ``limiter`` object for every service; views decorate themselves with
``@limiter.limit(...)`` and a limit string from their config. A breach raises
``RateLimitExceeded`` (a 429 ``HTTPException``), which ``common.errors`` renders as a
``request.throttled`` FAIL FSA with ``Retry-After``.
"""
from __future__ import annotations

from flask import Flask, request, session
from flask_limiter import Limiter


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
