"""The OpenID provider's token endpoint: code exchanges/s and refreshes/s beside a bare
answer of the same service behind the same nginx (issue 13).

Runs against a running stack (``make bench`` starts the test stack). One account signs
up through the real flow and logs in; then, one request at a time through nginx:
``GET /api/oidc/jwks`` (the baseline: no database, no client authentication), code
exchanges (each code made by the authorize endpoint first, not timed) and a chain of
refreshes (each rotates the refresh token) of the first-party client ``demo-rp``.

Prints the numbers and ``RESULT`` lines (issue 15, figure 5): exchanges/s and
refreshes/s one at a time against the bare Flask hello one at a time behind the same
gunicorn command and nginx template (``bench/lib/twin.py``); beside them the same with
4 clients at once (threads; each exchange its own code, each client its own refresh
chain) against the hello with 4 clients. The codes are made before each timed batch,
so the CPU ms per request of the stack's processes (``/proc/<pid>/stat``) are those of
the token requests alone — the figure a noisy machine inflates least. Exits non-zero
only when a request fails. Usage:
``TESSERA_STACK=test .venv/bin/python bench/oidc_token.py [--quick] [--rounds 100]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.processes import cpu_breakdown, cpu_by_process, stack_pids  # noqa: E402
from bench.lib.results import result  # noqa: E402
from bench.lib.twin import hello_twin  # noqa: E402
from bench.login import PASSWORD, create_account, csrf_session, percentile  # noqa: E402
from devstack.topology import get_stack  # noqa: E402

CLIENT = ("demo-rp", "demo-rp-secret")
REDIRECT_URI = "http://127.0.0.1:8090/callback"


def logged_in_browser(base: str, address: str) -> requests.Session:
    session, token = csrf_session(base)
    r = session.post(f"{base}/api/authn/login", json={"email": address, "password": PASSWORD},
                     headers={"X-CSRF-Token": token}, timeout=30)
    if r.status_code != 200:
        raise SystemExit(f"login answered {r.status_code} {r.text}")
    return session


def new_code(base: str, browser: requests.Session, scope: str) -> str:
    r = browser.get(f"{base}/api/oidc/authorize", allow_redirects=False, timeout=30, params={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT_URI, "scope": scope})
    if r.status_code != 302:
        raise SystemExit(f"authorize answered {r.status_code} {r.text}")
    return parse_qs(urlparse(r.headers["Location"]).query)["code"][0]


def timed_post(client: requests.Session, url: str, data: dict) -> tuple[dict, float]:
    started = time.perf_counter()
    r = client.post(url, data=data, auth=CLIENT, timeout=30)
    took = time.perf_counter() - started
    if r.status_code != 200:
        raise SystemExit(f"{url} answered {r.status_code} {r.text}")
    return r.json(), took


CLIENTS = 4


class Cpu:
    """CPU of the stack's processes, summed over the timed batches only."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir, self.requests, self.used = run_dir, 0, {}

    def measure(self, batch, count: int):
        """Run ``batch()`` and add the CPU the stack used meanwhile to ``count`` requests."""
        pids = stack_pids(self.run_dir)
        before = cpu_by_process(pids)
        out = batch()
        after = cpu_by_process(pids)
        for pid, (name, cpu) in after.items():
            self.used[name] = self.used.get(name, 0.0) + cpu - before.get(pid, (name, cpu))[1]
        self.requests += count
        return out

    def per_request_ms(self) -> float:
        return 1000 * sum(self.used.values()) / max(1, self.requests)

    def breakdown(self) -> str:
        zero = {pid: (name, 0.0) for pid, name in enumerate(self.used)}
        now = {pid: (name, self.used[name]) for pid, name in enumerate(self.used)}
        return cpu_breakdown(zero, now, per=self.requests)


def report(name: str, times: list[float], wall: float | None = None, cpu: Cpu | None = None) -> float:
    """Print a batch's rate (requests / ``wall`` seconds, or / the sum of ``times`` one
    at a time), median and p99; returns the rate."""
    rate = len(times) / (wall if wall is not None else sum(times))
    mode = f"{CLIENTS} clients" if wall is not None else "one at a time"
    cpu_text = f", CPU {cpu.per_request_ms():.1f} ms/request ({cpu.breakdown()})" if cpu else ""
    print(f"{name} ({len(times)} requests, {mode}): {rate:.0f}/s, median {statistics.median(times) * 1000:.1f} ms, "
          f"p99 {percentile(times, 0.99) * 1000:.1f} ms{cpu_text}")
    return rate


def exchanges(base: str, browser: requests.Session, rounds: int, clients: int, cpu: Cpu) -> tuple[list[float], float]:
    """``rounds`` code exchanges by ``clients`` at once, in batches whose codes are made
    first (untimed; a code lives 60 s): (each request's seconds, the batches' wall seconds)."""
    times, wall = [], 0.0
    sessions = [requests.Session() for _ in range(clients)]
    batch = max(clients, min(rounds, 25))
    for start in range(0, rounds, batch):
        codes = [new_code(base, browser, "openid profile email") for _ in range(min(batch, rounds - start))]

        def one(i: int) -> float:
            return timed_post(sessions[i % clients], f"{base}/api/oidc/token", {
                "grant_type": "authorization_code", "code": codes[i], "redirect_uri": REDIRECT_URI})[1]

        def run() -> list[float]:
            with ThreadPoolExecutor(clients) as pool:
                return list(pool.map(one, range(len(codes))))
        started = time.perf_counter()
        times += cpu.measure(run, len(codes))
        wall += time.perf_counter() - started
    return times, wall


def refreshes(base: str, browser: requests.Session, rounds: int, clients: int, cpu: Cpu) -> tuple[list[float], float]:
    """``rounds`` refreshes: ``clients`` chains at once, each rotating its own token."""
    sessions = [requests.Session() for _ in range(clients)]
    tokens = [timed_post(sessions[i], f"{base}/api/oidc/token", {
        "grant_type": "authorization_code", "code": new_code(base, browser, "openid offline_access"),
        "redirect_uri": REDIRECT_URI})[0] for i in range(clients)]
    per_chain = [rounds // clients + (1 if i < rounds % clients else 0) for i in range(clients)]

    def chain(i: int) -> list[float]:
        token, took = tokens[i], []
        for _ in range(per_chain[i]):
            token, seconds = timed_post(sessions[i], f"{base}/api/oidc/token", {
                "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
            took.append(seconds)
        return took

    def run() -> list[float]:
        with ThreadPoolExecutor(clients) as pool:
            return [t for chain_times in pool.map(chain, range(clients)) for t in chain_times]
    started = time.perf_counter()
    times = cpu.measure(run, rounds)
    return times, time.perf_counter() - started


def hello_rate(url: str, rounds: int, clients: int, client: requests.Session) -> tuple[list[float], float]:
    """``rounds`` GETs of ``url`` by ``clients`` at once: (each one's seconds, wall seconds)."""
    sessions = [client] if clients == 1 else [requests.Session() for _ in range(clients)]

    def one(i: int) -> float:
        started = time.perf_counter()
        if sessions[i % clients].get(url, timeout=30).status_code != 200:
            raise SystemExit(f"{url} failed")
        return time.perf_counter() - started
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(one, range(rounds)))
    return times, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="10 rounds (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.rounds = 10
    stack = get_stack()
    os.environ.setdefault("TESSERA_ETCD", stack.etcd_address)
    base = stack.base_url
    browser = logged_in_browser(base, create_account(base, stack.mail_dir))
    client = requests.Session()
    jwks, _ = hello_rate(f"{base}/api/oidc/jwks", args.rounds, 1, client)
    cpu = {(kind, n): Cpu(stack.run_dir) for kind in ("exchange", "refresh") for n in (1, CLIENTS)}
    runs = {}
    for n in (1, CLIENTS):
        runs[("exchange", n)] = exchanges(base, browser, args.rounds, n, cpu[("exchange", n)])
        runs[("refresh", n)] = refreshes(base, browser, args.rounds, n, cpu[("refresh", n)])
    with hello_twin(stack) as twin_stack:
        url = f"{twin_stack.base}/api/oidc/jwks"
        hello_rate(url, 10, 1, client)  # the first requests meet workers still warming up
        twin = {n: hello_rate(url, args.rounds, n, client) for n in (1, CLIENTS)}
    ceiling = {1: report("bare Flask hello behind the same gunicorn command and nginx template", twin[1][0]),
               CLIENTS: report("bare Flask hello behind the same gunicorn command and nginx template", *twin[CLIENTS])}
    jwks_rate = report("bare answer: GET /api/oidc/jwks through nginx", jwks)
    names = {"exchange": ("code exchanges (POST /api/oidc/token, ID token signed RS256)", "OIDC code exchanges"),
             "refresh": ("refreshes (POST /api/oidc/token, rotating)", "OIDC refreshes (rotating)")}
    for (kind, n), (times, wall) in runs.items():
        rate = report(names[kind][0], times, wall if n > 1 else None, cpu[(kind, n)])
        mode = "one at a time" if n == 1 else f"{n} clients"
        result(f"{names[kind][1]}, {mode}", rate, "req/s", ceiling=f"bare Flask hello, {mode}",
               ceiling_value=ceiling[n], command=f"bench/oidc_token.py: {args.rounds} POST /api/oidc/token "
               f"through nginx (requests, {'sequential' if n == 1 else f'{n} threads'})",
               p50_ms=round(statistics.median(times) * 1000, 1), p99_ms=round(percentile(times, 0.99) * 1000, 1),
               cpu_ms_per_request=round(cpu[(kind, n)].per_request_ms(), 2), jwks_per_s=round(jwks_rate, 1))


if __name__ == "__main__":
    main()
