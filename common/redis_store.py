"""The shared Redis (sessions, rate limits, per-user session index, throttles)."""
from __future__ import annotations

import redis
from flask import Flask, current_app


def make_client(url: str) -> redis.Redis:
    """A Redis client for ``url`` with one-second socket time-outs, so that a Redis that
    is down answers a request with 503 quickly instead of hanging a worker.
    Reconnection is redis-py's: every command takes a connection from the pool anew."""
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1,
                                health_check_interval=15)


def init_app(app: Flask) -> None:
    """Bind a Redis client to ``app`` as ``app.extensions['tessera.redis']``."""
    app.extensions["tessera.redis"] = make_client(app.config["TESSERA"]["redis_url"])


def redis_client() -> redis.Redis:
    """The current app's Redis client."""
    return current_app.extensions["tessera.redis"]
