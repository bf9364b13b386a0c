"""Real parallel requests in one browser session, for the concurrency tests."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.helpers import HttpClient, Response


def post_together(http: HttpClient, path: str, bodies: list[Any]) -> list[Response]:
    """POST each of ``bodies`` to ``path`` through nginx, all at the same moment, in
    ``http``'s session: one thread each, sharing its cookie jar and CSRF token as the
    tabs of one browser do, released together by a barrier. The answers, in order.

    The services run two gunicorn workers each in the test stacks, so at least two of
    the requests really overlap (the rest queue behind them, as a busy server does).
    """
    if http.token is None:
        http.get("/api/jsconfig/config")
    barrier = threading.Barrier(len(bodies))

    def one(body: Any) -> Response:
        barrier.wait()
        return http.post(path, body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))
