"""A backing service that is down gives 503 naming it, and the services recover by
themselves when it is back (issue 2, "Done when" 3). Runs against the gunicorn services
behind nginx, so "recovers without a restart" is about the real processes."""
from __future__ import annotations

import time
from typing import Callable

import pytest

from devstack import manager
from tests.helpers import HttpClient, Response


def _eventually(probe: Callable[[], Response], accept: Callable[[Response], bool], timeout: float = 30) -> Response:
    deadline = time.monotonic() + timeout
    while True:
        r = probe()
        if accept(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.3)


@pytest.mark.parametrize("program, backend", [("redis", "redis"), ("mongo", "mongodb")])
def test_backend_down_gives_503_naming_it_then_recovers(stack, http: HttpClient, program: str, backend: str) -> None:
    assert http.get("/api/jsconfig/status/healthy").status == 200
    manager.control(stack, "stop", program)
    try:
        r = _eventually(lambda: http.get("/api/jsconfig/status/healthy"), lambda r: r.status == 503)
        assert r.status == 503
        assert r.type == "GET_JSCONFIG_STATUS_HEALTHY_FAIL"
        assert r.message == "backend.unavailable"
        assert r.payload["backend"] == backend
        assert r.payload["checks"][backend] == "down"
        if backend == "redis":  # every session route needs Redis
            config = http.get("/api/jsconfig/config")
            assert config.status == 503
            assert config.body == {"type": "GET_JSCONFIG_CONFIG_FAIL", "error": True,
                                   "payload": {"message": "backend.unavailable", "backend": "redis"}}
            assert config.headers["Retry-After"]
    finally:
        manager.control(stack, "start", program)
    r = _eventually(lambda: http.get("/api/jsconfig/status/healthy"), lambda r: r.status == 200)
    assert r.status == 200, r
    assert http.get("/api/jsconfig/config").status == 200
