"""Login throttling as the browser sees it: through nginx and gunicorn, with the seeded
limits (5 failures per account per 5 minutes, authn.json)."""
from __future__ import annotations

import threading

from tests.helpers import HttpClient

SEEDED_ACCOUNT_LIMIT = 5
SEEDED_WINDOW = 300


def login(http, email, password):
    return http.post("/api/authn/login", {"email": email, "password": password})


def test_eight_wrong_passwords_then_the_right_one(http, make_user):
    user = make_user()
    statuses = [login(http, user.email, f"wrong password {n}").status for n in range(8)]
    assert statuses == [401] * SEEDED_ACCOUNT_LIMIT + [429] * 3
    right = login(http, user.email, user.password)
    assert right.status == 429, right
    assert right.message == "request.throttled"
    # locked for the whole window from the 5th failure, not until the oldest one expires
    assert SEEDED_WINDOW - 30 <= int(right.headers["Retry-After"]) <= SEEDED_WINDOW
    assert http.get("/api/authn/session").payload["logged_in"] is False


def test_parallel_guesses_are_checked_no_more_often_than_the_limit_allows(stack, make_user):
    user = make_user()
    clients = [HttpClient(stack.base_url) for _ in range(8)]
    for client in clients:
        client.get("/api/jsconfig/config")  # each its own session and CSRF token
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client: HttpClient, n: int) -> None:
        start.wait()
        statuses.append(login(client, user.email, f"wrong password {n}").status)

    threads = [threading.Thread(target=guess, args=(client, n)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    # a guess that was checked is a 401: never more of them than the allowance
    assert sorted(statuses) == [401] * SEEDED_ACCOUNT_LIMIT + [429] * 3
    fresh = HttpClient(stack.base_url)
    try:
        assert login(fresh, user.email, user.password).status == 429
    finally:
        fresh.close()
