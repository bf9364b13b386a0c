"""Real parallel requests in one browser session, for the concurrency tests."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.helpers import HttpClient, Response


def post_together(http: HttpClient, path: str, bodies: list[Any]) -> list[Response]:
    """POST each of ``bodies`` to ``path`` through nginx, all at the same moment, in
    ``http``'s session, as tabs of one browser that sent them before any answer came
    back: every request carries the cookie and CSRF token ``http`` holds now (each
    thread its own connection, released together by a barrier). The answers, in order.

    The answers then reach ``http`` in the order they arrived, cookies and CSRF tokens
    included, as they would reach the browser's cookie jar. (A shared jar would let a
    request that a loaded machine sends late go out with the winner's new session id:
    a second, sequential request, not a parallel one.)

    The services run two gunicorn workers each in the test stacks, so at least two of
    the requests really overlap (the rest queue behind them, as a busy server does).
    """
    if http.token is None:
        http.get("/api/jsconfig/config")
    cookies = requests.utils.dict_from_cookiejar(http.session.cookies)
    headers = {"X-CSRF-Token": http.token or ""}
    barrier = threading.Barrier(len(bodies))
    arrivals: list[tuple[float, int, requests.Response]] = []
    lock = threading.Lock()

    def one(index: int, body: Any) -> None:
        with requests.Session() as tab:
            tab.cookies.update(cookies)
            barrier.wait()
            answer = tab.post(http.base_url + path, json=body, headers=headers, timeout=30)
        with lock:
            arrivals.append((time.monotonic(), index, answer))

    with ThreadPoolExecutor(len(bodies)) as pool:
        list(pool.map(one, range(len(bodies)), bodies))
    answers: dict[int, Response] = {}
    for _, index, answer in sorted(arrivals, key=lambda arrival: arrival[0]):
        http.session.cookies.update(answer.cookies)
        answers[index] = http.receive(answer)  # a payload's new CSRF token, as the SPA takes it
    return [answers[index] for index in range(len(bodies))]


def post_each_together(calls: list[tuple[HttpClient, str, Any]]) -> list[Response]:
    """POST each ``(client, path, body)`` of ``calls`` at the same moment, each in its own
    client's session (several browsers, e.g. two accounts acting at once): released
    together by a barrier, each on its own connection. The answers, in order; each
    client receives its own answer (cookies, CSRF token) as ``post`` would."""
    for client, _, _ in calls:
        if client.token is None:
            client.get("/api/jsconfig/config")
    barrier = threading.Barrier(len(calls))

    def one(call: tuple[HttpClient, str, Any]) -> requests.Response:
        client, path, body = call
        barrier.wait()
        return client.session.post(client.base_url + path, json=body, headers={"X-CSRF-Token": client.token or ""},
                                   timeout=30)

    with ThreadPoolExecutor(len(calls)) as pool:
        answers = list(pool.map(one, calls))
    return [client.receive(answer) for (client, _, _), answer in zip(calls, answers)]
