"""The OpenID provider's token endpoint: code exchanges/s and refreshes/s beside a bare
answer of the same service behind the same nginx (issue 13).

Runs against a running stack (``make bench`` starts the test stack). One account signs
up through the real flow and logs in; then, one request at a time through nginx:
``GET /api/oidc/jwks`` (the baseline: no database, no client authentication), code
exchanges (each code made by the authorize endpoint first, not timed) and a chain of
refreshes (each rotates the refresh token) of the first-party client ``demo-rp``.

Prints the numbers; asserts nothing about them (timing assertions are flaky here).
Usage: ``TESSERA_STACK=test .venv/bin/python bench/oidc_token.py [--rounds 100]``
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
    args = parser.parse_args()
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
    report("bare answer: GET /api/oidc/jwks through nginx", hello)
    report("code exchanges (POST /api/oidc/token, ID token signed RS256)", exchanges)
    report("refreshes (POST /api/oidc/token, rotating)", refreshes)


if __name__ == "__main__":
    main()
