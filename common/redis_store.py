"""The shared Redis (sessions, rate limits, per-user session index, throttles)."""
from __future__ import annotations

from urllib.parse import unquote

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel


#: One-second time-outs: a Redis that is down answers a request with 503 quickly
#: instead of hanging a worker.
TIMEOUTS = {"socket_timeout": 1, "socket_connect_timeout": 1}
SENTINEL_SCHEME = "redis+sentinel://"


def make_client(url: str) -> redis.Redis:
    """A Redis client for ``url``: ``redis://[:password@]host:port/db``, or
    ``redis+sentinel://[:password@]host:port[,host:port…]/service_name`` for a Redis
    under Sentinel (database 0; the form Flask-Limiter's storage, the ``limits``
    library, reads from the same setting).

    Through Sentinel the client asks the sentinels for the current primary of
    ``service_name`` and asks again when it fails over. Reconnection is redis-py's:
    every command takes a connection from the pool anew. Raises ValueError for a
    malformed Sentinel URL.
    """
    if url.startswith(SENTINEL_SCHEME):
        return _sentinel_client(url[len(SENTINEL_SCHEME):])
    return redis.Redis.from_url(url, health_check_interval=15, **TIMEOUTS)


def _sentinel_client(rest: str) -> redis.Redis:
    credentials, _, rest = rest.rpartition("@")
    locations, _, service_name = rest.partition("/")
    username, _, password = credentials.partition(":")
    sentinels = []
    for location in locations.split(","):
        host, _, port = location.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"redis+sentinel URL: {location!r} is not host:port")
        sentinels.append((host, int(port)))
    service_name = service_name.strip("/")
    if not service_name:
        raise ValueError("redis+sentinel URL: no service name after the sentinels")
    auth = {key: unquote(value) for key, value in (("username", username), ("password", password)) if value}
    # A sentinel that does not answer is passed over at once for the next one, not
    # retried with back-off (redis-py's default for a connection).
    no_retry = {"retry": Retry(NoBackoff(), 0)}
    sentinel = Sentinel(sentinels, sentinel_kwargs={**auth, **TIMEOUTS, **no_retry}, **TIMEOUTS)
    return sentinel.master_for(service_name, health_check_interval=15, **auth)


def init_app(app: Flask) -> None:
    """Bind a Redis client to ``app`` as ``app.extensions['tessera.redis']``."""
    app.extensions["tessera.redis"] = make_client(app.config["TESSERA"]["redis_url"])


def redis_client() -> redis.Redis:
    """The current app's Redis client."""
    return current_app.extensions["tessera.redis"]
