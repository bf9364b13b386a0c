"""The N-replica form on the local test stack (``topology.REPLICAS``): two gunicorn
instances of personal_data behind one nginx upstream, two attribute managers consuming
``am.sync``. With either instance of either stopped, every request and every sync still
succeeds; with both running, both take a share of the work.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import requests

from devstack import manager, render
from devstack.topology import Stack
from tests.helpers import HttpClient
from tests.users import TestUser, central_user

SERVICE, WORKER = "personal_data", "am"


def _log(stack: Stack, program: str) -> str:
    """What supervisord captured of ``program``'s output (the AM's log lines)."""
    return (stack.run_dir / "log" / f"{program}.log").read_text(errors="replace")


def _served(stack: Stack, program: str, marker: str) -> list[str]:
    """The lines of nginx's access log (the one access log: gunicorn keeps none) of
    requests with ``marker`` that service instance ``program`` answered."""
    upstream = f"upstream=127.0.0.1:{stack.instance_port(program)}"
    text = (stack.run_dir / "log" / "nginx-access.log").read_text(errors="replace")
    return [line for line in text.splitlines() if marker in line and upstream in line]


def _wait_healthy(stack: Stack, program: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not manager.is_program_healthy(stack, program):
        assert time.monotonic() < deadline, f"{program} did not come back"
        time.sleep(0.2)


class _Reader(threading.Thread):
    """Reads the user's personal data through nginx in a loop, in its own HTTP
    connection with the same session cookie, and counts the answers by status."""

    def __init__(self, http: HttpClient) -> None:
        super().__init__(daemon=True)
        self.url = http.base_url + "/api/personal-data/user"
        self.session = requests.Session()
        self.session.headers.update(http.session.headers)
        self.session.cookies.update(http.session.cookies)
        self.statuses: Counter[int] = Counter()
        self.answers = 0  # a plain count, safe to read from the test's thread
        self.done = threading.Event()

    def run(self) -> None:
        with self.session:
            while not self.done.is_set():
                self.statuses[self.session.get(self.url, timeout=30).status_code] += 1
                self.answers += 1
                time.sleep(0.02)

    def wait_for_reads(self, count: int, timeout: float = 180.0) -> None:
        """Return once ``count`` more answers have come in than when called."""
        target = self.answers + count
        deadline = time.monotonic() + timeout
        while self.answers < target:
            assert self.is_alive(), "the reader stopped"
            assert time.monotonic() < deadline, f"the reader got no {count} answers in {timeout} s"
            time.sleep(0.05)

    def stop(self) -> Counter[int]:
        self.done.set()
        self.join(60)
        return self.statuses


def _rename(stack: Stack, http: HttpClient, user: TestUser, n: int) -> None:
    """One change that needs the AM: 200 (not 202) means a consumer applied it."""
    name = f"Ada {n}"
    r = http.post("/api/personal-data/user", {"given_name": name, "surname": "King", "language": "en"})
    assert r.status == 200, r
    assert central_user(stack, user.user_id)["given_name"] == name
    r = http.get("/api/personal-data/user")
    assert r.status == 200 and r.payload["given_name"] == name, r


def test_either_instance_may_stop_while_requests_and_syncs_go_on(stack, http, make_user) -> None:
    services, workers = stack.instances(SERVICE), stack.instances(WORKER)
    assert len(services) == 2 and len(workers) == 2, "the test stacks run two of each"
    user = make_user()
    marker = f"tessera-replica-test/{uuid.uuid4().hex}"  # finds this test's lines in the logs
    http.session.headers["User-Agent"] = marker
    assert http.post("/api/authn/login", {"email": user.email, "password": user.password}).status == 200

    reader = _Reader(http)
    reader.start()
    changes = iter(range(1_000))
    try:
        for _ in range(8):  # all four running
            _rename(stack, http, user, next(changes))
        for program in [f"services:{p}" for p in services] + [f"workers:{p}" for p in workers]:
            manager.control(stack, "stop", program)
            try:
                reader.wait_for_reads(3)  # reads while it is stopped, not only around it
                for _ in range(6):
                    _rename(stack, http, user, next(changes))
            finally:
                manager.control(stack, "start", program)
                _wait_healthy(stack, program)
                # nginx tries a failed instance again after fail_timeout: a rolling
                # restart waits that long before the next instance stops
                time.sleep(render.UPSTREAM_FAIL_TIMEOUT + 0.5)
    finally:
        statuses = reader.stop()

    # The reader never saw an error, not even while an instance stopped or started.
    assert set(statuses) == {200}, statuses
    assert statuses[200] > 20, statuses
    # Both gunicorns answered this test's requests, and both AMs applied its syncs.
    for program in services:
        assert _served(stack, program, marker), f"{program} served none of the requests"
    for program in workers:
        synced = [line for line in _log(stack, program).splitlines()
                  if user.user_id in line and "from personal_data" in line]
        assert synced, f"{program} applied none of the syncs"
