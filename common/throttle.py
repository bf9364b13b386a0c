"""Rate limiting, with counters in the shared Redis.

Two kinds of limit, both configured by limit strings (``"5 per 5 minutes"``) in the
service's config:

* ``limiter.limit(...)`` (Flask-Limiter, moving window): every request counts — how
  often something may be asked for (a code mailed, a registration).
* ``failure_limit(...)``: only failures count, and reaching the allowance locks the key
  for one whole window — guessing a secret (a password, a code). See ``failure_limit``
  for why Flask-Limiter's ``deduct_when`` does not do for these.

A breach of either raises a 429 ``HTTPException`` (``RateLimitExceeded``,
``FailuresThrottled``), which ``common.errors`` renders as a ``request.throttled`` FAIL
FSA with ``Retry-After``.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from flask import Flask, Response, current_app, g, request, session
from flask_limiter import Limiter
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from common.addresses import normalize_email
from common.redis_store import redis_client

View = TypeVar("View", bound=Callable[..., Any])


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
    """``counts`` for limits on failures: any failed answer (status 400 or more)."""
    return response.status_code >= 400


# -- limits on failures that hold for a whole window -------------------------------------
#
# Flask-Limiter counts a failures-only limit (``deduct_when``) in two steps: before the
# view it *tests* the moving window, after it *hits* it if the answer is a failure. For a
# limit on guessing that is wrong twice over (issue 10, "login throttling"):
#
# 1. A moving window frees a slot as soon as its oldest failure is a window old. The
#    429 locks nothing: its Retry-After is the time until the OLDEST failure expires,
#    after which the next guess is checked again, and the one after it as soon as the
#    second-oldest expires — a guesser typing at a human pace got 429 on the 6th try, was
#    checked on the 7th and 8th, and the right password went in, all within a few
#    minutes of the 429. A patient guesser keeps 5 guesses per 5 minutes for ever.
# 2. Test-then-hit is not atomic: N parallel guesses all pass the test before any of
#    them is counted, so all N are checked against the password, whatever the limit.
#
# ``failure_limit`` takes a slot BEFORE the view runs (atomically, in one Lua script,
# with Redis's clock), gives it back after an answer that is no failure, and the failure
# that fills the allowance locks the key for one whole window, during which nothing is
# checked at all (NIST SP 800-63B §5.2.2: limit failed attempts; OWASP Authentication
# Cheat Sheet, "Account Lockout": a lockout for a set time, so that it cannot be used to
# lock an account for ever). A slot taken by a request that never answered (a worker
# killed) stays counted until it is a window old: the limit fails closed.

#: KEYS: the failures (a sorted set: attempt id → ms), the attempts in flight (the same),
#: the lock. ARGV: the window (ms), the allowance, this attempt's id. Returns 0 when
#: the attempt may go on, else the milliseconds to wait (-1: attempts in flight hold the
#: remaining slots, which they give back or use up within a request's time).
_TAKE_SLOT = """
local time = redis.call('time')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
local locked = redis.call('pttl', KEYS[3])
if locked > 0 then return locked end
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
redis.call('zremrangebyscore', KEYS[2], '-inf', now - window)
local failures = redis.call('zcard', KEYS[1])
if failures + redis.call('zcard', KEYS[2]) >= tonumber(ARGV[2]) then
  if failures < tonumber(ARGV[2]) then return -1 end
  local oldest = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('zadd', KEYS[2], now, ARGV[3])
redis.call('pexpire', KEYS[2], window)
return 0
"""

#: KEYS as above. ARGV: the window (ms), the allowance, the attempt's id, "1" when its
#: answer was a failure. The failure that fills the allowance sets the lock for a window.
_SETTLE = """
if redis.call('zrem', KEYS[2], ARGV[3]) == 0 then return 0 end
if ARGV[4] ~= '1' then return 0 end
local time = redis.call('time')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('zremrangebyscore', KEYS[1], '-inf', now - window)
redis.call('zadd', KEYS[1], now, ARGV[3])
redis.call('pexpire', KEYS[1], window)
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[2]) then
  redis.call('set', KEYS[3], '1', 'PX', window, 'NX')
  return 1
end
return 0
"""

#: ``flask.g`` attribute: the slots this request took, settled by ``_settle_attempts``
_ATTEMPTS = "tessera_failure_attempts"


class FailuresThrottled(TooManyRequests):
    """429: the failures allowed for this key are used up; ``retry_after`` is the whole
    seconds until the next attempt will be checked."""


@dataclass(frozen=True)
class _Attempt:
    """One slot taken by this request under one ``failure_limit``."""

    keys: tuple[str, str, str]
    window_ms: int
    amount: int
    attempt_id: str
    counts: Callable[[Response], bool]


def failure_limit(limit: Callable[[], str], *, key_func: Callable[[], str] = client_address,
                  counts: Callable[[Response], bool] = failed,
                  scope: Callable[[], str] | None = None) -> Callable[[View], View]:
    """Decorator: at most ``limit()`` (a limit string, e.g. ``configured(...)``; several
    separated by ``;`` all apply) answers for which ``counts(response)`` is true per
    ``key_func()`` (default: the client address) and window of this endpoint; the answer
    that reaches the allowance locks the key for one whole window from then on.

    ``scope()``, when given, names the endpoint whose counters this one shares (e.g. a
    login's second step counts with the password failures of ``authn.login``).

    Before the view runs, the request takes a slot; a locked or full key raises
    ``FailuresThrottled`` (429, ``Retry-After`` in whole seconds, at least 1) and the view
    never runs — a throttled guess is never checked. After the answer, the slot is given
    back unless ``counts`` says the answer was a failure; a 429 is never one (nothing was
    checked). Stack several for several keys: a slot taken by an outer one is given back
    when an inner one throttles. Redis down: the request fails (503 redis) rather than
    being let through unthrottled.
    """
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            key = key_func()
            endpoint = scope() if scope is not None else request.endpoint
            for item in parse_many(limit()):
                _take_slot(item, key, counts, endpoint)
            return view(*args, **kwargs)
        return limited  # type: ignore[return-value]
    return decorator


def _take_slot(item: RateLimitItem, key: str, counts: Callable[[Response], bool], endpoint: str) -> None:
    """Take a slot of ``item`` (one parsed limit) for ``key`` on ``endpoint``, or raise
    FailuresThrottled."""
    # the limit is part of the key, so a changed limit starts afresh (as Flask-Limiter's)
    base = f"tessera:failures:{endpoint}:{key}:{item.amount}/{item.get_expiry()}"
    attempt = _Attempt(keys=(base, f"{base}:pending", f"{base}:lock"), window_ms=item.get_expiry() * 1000,
                       amount=item.amount, attempt_id=uuid.uuid4().hex, counts=counts)
    wait_ms = redis_client().register_script(_TAKE_SLOT)(
        keys=list(attempt.keys), args=[attempt.window_ms, attempt.amount, attempt.attempt_id])
    if wait_ms != 0:
        # -1 (slots held by attempts in flight) is "try again in a second" too
        raise FailuresThrottled(retry_after=max(1, math.ceil(int(wait_ms) / 1000)))
    g.setdefault(_ATTEMPTS, []).append(attempt)


def _settle_attempts(response: Response) -> Response:
    """``after_request``: give back or count the slots this request took."""
    attempts: list[_Attempt] = g.pop(_ATTEMPTS, [])
    if attempts:
        settle = redis_client().register_script(_SETTLE)
        for attempt in attempts:
            failure = response.status_code != 429 and attempt.counts(response)
            settle(keys=list(attempt.keys),
                   args=[attempt.window_ms, attempt.amount, attempt.attempt_id, "1" if failure else "0"])
    return response


limiter = Limiter(key_func=client_address, headers_enabled=True, strategy="moving-window",
                  key_prefix="tessera:limits")


@functools.lru_cache(maxsize=32)
def _parsed(limit: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(limit))


def count_request(limit: str, key: str) -> int | None:
    """Count one request for ``key`` against ``limit`` (a limit string, e.g. ``"600 per
    minute"``; ``;`` separates several, all apply) with the limiter's own moving-window
    strategy and storage: None while within it, else the whole seconds (at least 1)
    until the oldest counted request leaves the window — the ``Retry-After`` of its 429.

    For an endpoint whose answers must not carry Flask-Limiter's ``X-RateLimit-*``
    headers and that cannot afford its per-request machinery (the OAuth token endpoint:
    a second Redis script per answer and ~20% of an exchange's CPU; issue 15). Redis
    down raises its ConnectionError (503 redis, as everywhere)."""
    strategy = limiter.limiter
    for item in _parsed(limit):
        if not strategy.hit(item, "tessera:limits", key):
            reset_at = strategy.get_window_stats(item, "tessera:limits", key).reset_time
            return max(1, math.ceil(reset_at - time.time()))
    return None


def init_app(app: Flask) -> None:
    """Bind the limiter to ``app``, with storage in the Redis at ``TESSERA['redis_url']``,
    and settle the ``failure_limit`` slots of each request after its answer."""
    app.config["RATELIMIT_STORAGE_URI"] = app.config["TESSERA"]["redis_url"]
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Flask-Limiter would set Retry-After on EVERY response of a limited route (even a
    # 200) and overwrite a view's own, shorter one (e.g. a code's resend wait) with the
    # limit's window. Its value goes to another header; Retry-After is only ever set by
    # a 429 (common.errors) or a view (RFC 9110 §10.2.3).
    app.config.setdefault("RATELIMIT_HEADER_RETRY_AFTER", "X-RateLimit-Retry-After")
    limiter.init_app(app)
    _limited_routes_only(app)
    app.after_request(_settle_attempts)


def _limited_routes_only(app: Flask) -> None:
    """Take Flask-Limiter's ``before_request`` hook off ``app``: the limiter is then
    consulted only by the routes that carry a limit (issue 15; profiled at ~5% of a
    read's CPU in worker time). Its decorators check their own limits (Flask-Limiter
    runs ``_check_request_limit(in_middleware=False)`` inside the decorated view); the
    hook only applies default, application and blueprint limits, of which Tessera has
    none — so the hook stays when any such limit is configured."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits or limiter._meta_limits:
        return
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]
