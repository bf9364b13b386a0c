"""Limits on failures hold under parallel requests: a guess is checked only when a slot
of the allowance was taken for it first (common.throttle.failure_limit), so N parallel
guesses never get more checks than the limit allows — for re-authentication and for the
reset's code (the same limit as login's, issue 10)."""
from __future__ import annotations

import threading
from typing import Callable

from tests.helpers import code_in, text_of

GUESSES = 8


def in_parallel(calls: list[Callable[[], int]]) -> list[int]:
    """Run ``calls`` in threads released together; their results (HTTP statuses), sorted."""
    start = threading.Barrier(len(calls))
    results: list[int] = []
    lock = threading.Lock()

    def run(call: Callable[[], int]) -> None:
        start.wait()
        status = call()
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


def test_parallel_reauthentications_are_checked_at_most_the_allowance(api, make_user):
    user = make_user()
    clients = []
    for _ in range(GUESSES):
        client = api("authn", login_failures_per_account="3 per 5 minutes")
        client.login_as(user.user_id, auth_age=3600)
        clients.append(client)
    statuses = in_parallel([
        lambda c=c, n=n: c.post("/api/authn/reauthenticate", {"password": f"guess {n}"}).status
        for n, c in enumerate(clients)])
    assert statuses == [401] * 3 + [429] * (GUESSES - 3)
    assert clients[0].post("/api/authn/reauthenticate", {"password": user.password}).status == 429


def test_parallel_reset_codes_are_checked_at_most_the_allowance(api, new_user, outbox):
    user = new_user()
    client = api("reset_password", verify_limit_per_client="3 per hour")
    assert client.post("/api/reset-password/start", {"email": user.email}).status == 200
    code = code_in(text_of(outbox.wait_for_mail(user.email)[0]))
    wrong = str((int(code) + 1) % 10 ** len(code)).zfill(len(code))
    guessers = [api("reset_password", verify_limit_per_client="3 per hour") for _ in range(GUESSES)]
    statuses = in_parallel([
        lambda g=g: g.post("/api/reset-password/verify", {"email": user.email, "code": wrong}).status
        for g in guessers])
    assert statuses == [400] * 3 + [429] * (GUESSES - 3)
    r = client.post("/api/reset-password/verify", {"email": user.email, "code": code})
    assert r.status == 429 and int(r.headers["Retry-After"]) > 3000
