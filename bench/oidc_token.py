"""The OpenID provider's token endpoint: code exchanges/s and refreshes/s beside a bare
answer of the same service behind the same nginx (issue 13).

Runs against a running stack (``make bench`` starts the test stack). One account signs
up through the real flow and logs in; then, one request at a time through nginx:
``GET /api/oidc/jwks`` (the baseline: no database, no client authentication), code
exchanges (each code made by the authorize endpoint first, not timed) and a chain of
refreshes (each rotates the refresh token) of the first-party client ``demo-rp``.

Prints the numbers and ``RESULT`` lines (issue 15, figure 5): exchanges/s and
refreshes/s one at a time against the bare Flask hello one at a time behind the same
gunicorn command and nginx template (``bench/lib/twin.py``). Exits non-zero only when a
request fails. Usage:
``TESSERA_STACK=test .venv/bin/python bench/oidc_token.py [--quick] [--rounds 100]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def report(name: str, times: list[float]) -> None:
    print(f"{name} ({len(times)} requests, one at a time): {len(times) / sum(times):.0f}/s, "
          f"median {statistics.median(times) * 1000:.1f} ms, p99 {percentile(times, 0.99) * 1000:.1f} ms")


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
    hello = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        if client.get(f"{base}/api/oidc/jwks", timeout=30).status_code != 200:
            raise SystemExit("jwks failed")
        hello.append(time.perf_counter() - started)
    exchanges = []
    for _ in range(args.rounds):
        code = new_code(base, browser, "openid profile email")
        _, took = timed_post(client, f"{base}/api/oidc/token", {
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
        exchanges.append(took)
    token, _ = timed_post(client, f"{base}/api/oidc/token", {
        "grant_type": "authorization_code", "code": new_code(base, browser, "openid offline_access"),
        "redirect_uri": REDIRECT_URI})
    refreshes = []
    for _ in range(args.rounds):
        token, took = timed_post(client, f"{base}/api/oidc/token", {
            "grant_type": "refresh_token", "refresh_token": token["refresh_token"]})
        refreshes.append(took)
    twin = []
    with hello_twin(stack) as twin_stack:
        hello_base = twin_stack.base
        for _ in range(args.rounds + 10):
            started = time.perf_counter()
            if client.get(f"{hello_base}/api/oidc/jwks", timeout=30).status_code != 200:
                raise SystemExit("the hello twin failed")
            twin.append(time.perf_counter() - started)
    twin = twin[10:]  # the first requests meet workers still warming up
    report("bare Flask hello behind the same gunicorn command and nginx template", twin)
    report("bare answer: GET /api/oidc/jwks through nginx", hello)
    report("code exchanges (POST /api/oidc/token, ID token signed RS256)", exchanges)
    report("refreshes (POST /api/oidc/token, rotating)", refreshes)
    ceiling = len(twin) / sum(twin)
    for figure, times in (("OIDC code exchanges, one at a time", exchanges),
                          ("OIDC refreshes (rotating), one at a time", refreshes)):
        result(figure, len(times) / sum(times), "req/s", ceiling="bare Flask hello, one at a time",
               ceiling_value=ceiling, command=f"bench/oidc_token.py: {args.rounds} POST /api/oidc/token "
               "through nginx (requests, sequential)", p50_ms=round(statistics.median(times) * 1000, 1),
               p99_ms=round(percentile(times, 0.99) * 1000, 1),
               jwks_per_s=round(len(hello) / sum(hello), 1))


if __name__ == "__main__":
    main()
