"""Raw HTTP/1.1 exchanges with nginx, for requests that ``requests`` would refuse or
rewrite (TRACE, CONNECT, a NUL byte in the path, a 16 KB cookie, an over-long URI)."""
from __future__ import annotations

import http.client
import json
import socket
from dataclasses import dataclass
from typing import Any


@dataclass
class RawResponse:
    """What nginx answered: ``status``, ``headers`` (an ``http.client.HTTPMessage``,
    case-insensitive, ``get_all`` for repeated ones) and the ``body`` bytes."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (ValueError when it is not)."""
        return json.loads(self.body)


def exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 30) -> RawResponse:
    """Send ``head`` (request line and headers, each line ending in CRLF, WITHOUT the
    blank line) and ``body`` to nginx on 127.0.0.1:``port`` over a fresh connection
    (``Connection: close`` is added) and read one response."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + b"Connection: close\r\n\r\n" + body)
        method = head.split(b" ", 1)[0].decode("ascii", "replace")
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        try:
            data = response.read()
        finally:
            response.close()
        return RawResponse(response.status, response.headers, data)


def request(port: int, method: str, target: str, headers: dict[str, str] | None = None,
            body: bytes = b"") -> RawResponse:
    """``method target HTTP/1.1`` with ``Host: localhost`` and ``headers``, sent as is
    (``target`` is not quoted: ``%00`` stays three characters)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return exchange(port, "".join(line + "\r\n" for line in lines).encode("latin-1"), body)
