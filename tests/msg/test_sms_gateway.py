"""The HTTP SMS provider against a local gateway (a real HTTP server on 127.0.0.1, so
not in the fast layer; moved here from the former tests/msg/test_render.py)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Iterator

import pytest
import requests

from common.consumer import PermanentError
from services.msg.sms import HttpSmsProvider


class _Gateway(BaseHTTPRequestHandler):
    status = 200
    seen: list = []

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.seen.append((self.headers["Authorization"], self.headers["Idempotency-Key"], body))
        self.send_response(_Gateway.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()


def test_the_http_provider(gateway):
    provider = HttpSmsProvider(gateway, "s3cret", timeout=2)
    _Gateway.status = 200
    provider.send("+46701234567", "hello", "key-1")
    assert _Gateway.seen[-1] == ("Bearer s3cret", "key-1", {"to": "+46701234567", "text": "hello"})
    assert provider.has_sent("key-1") is None
    _Gateway.status = 503
    with pytest.raises(requests.HTTPError):  # transient: retried
        provider.send("+46701234567", "hello")
    _Gateway.status = 400
    with pytest.raises(PermanentError):
        provider.send("+46701234567", "hello")
    provider.session.close()
    unreachable = HttpSmsProvider("http://127.0.0.1:9/sms", "t", timeout=1)
    with pytest.raises(requests.ConnectionError):
        unreachable.send("+46701234567", "hello")
    unreachable.session.close()
