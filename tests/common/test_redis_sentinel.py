"""Redis under Sentinel (``redis+sentinel://`` in ``redis_url``): a real sentinel
(``redis-server --sentinel``) watches the test stack's Redis, and a service finds its
primary through it for sessions, CSRF tokens, rate limits and its health check."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis

from common.redis_store import make_client
from tests.helpers import ApiClient

SERVICE_NAME = "tessera"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def sentinel(stack, tmp_path: Path) -> Iterator[str]:
    """A sentinel on a free port monitoring the stack's Redis as ``tessera``; yields the
    ``redis+sentinel://`` URL."""
    port = _free_port()
    conf = tmp_path / "sentinel.conf"  # the sentinel rewrites it: its own copy
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {SERVICE_NAME} 127.0.0.1 {stack.ports['redis']} 1\n"
    )
    process = subprocess.Popen(["redis-server", str(conf), "--sentinel"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        probe = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 15
        while True:
            try:
                if probe.sentinel_get_master_addr_by_name(SERVICE_NAME):
                    break
            except redis.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the sentinel did not start"
            time.sleep(0.1)
        probe.close()
        yield f"redis+sentinel://127.0.0.1:{_free_port()},127.0.0.1:{port}/{SERVICE_NAME}"
    finally:
        process.terminate()
        process.wait(10)


def test_the_client_finds_the_primary_through_sentinel(stack, sentinel) -> None:
    client = make_client(sentinel)  # the first sentinel listed is down: the next answers
    client.set("sentinel-probe", "1", ex=10)
    direct = redis.Redis(port=stack.ports["redis"])
    try:
        assert direct.get("sentinel-probe") == b"1"
    finally:
        direct.close()
        client.close()


def test_a_service_runs_on_redis_under_sentinel(stack, make_app, sentinel) -> None:
    app = make_app("authn", redis_url=sentinel, login_failures_per_client="2 per minute")
    client = ApiClient(app.test_client())
    assert client.get("/api/authn/status/healthy").status == 200
    statuses = [
        client.post("/api/authn/login", {"email": f"nobody-{n}@example.org", "password": "wrong one 12"}).status
        for n in range(3)
    ]
    # the CSRF token checked against the session in Redis, failures counted by
    # Flask-Limiter in Redis: both reached through the sentinel
    assert statuses == [401, 401, 429]


def test_a_malformed_sentinel_url_is_refused() -> None:
    for url in ("redis+sentinel://127.0.0.1/tessera", "redis+sentinel://127.0.0.1:26379"):
        with pytest.raises(ValueError, match="redis\\+sentinel"):
            make_client(url)
