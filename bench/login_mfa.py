"""Login with a TOTP second factor compared with a password-only login (issue 12).

Runs against a running stack (``make bench`` starts the test stack). It signs up
``--accounts`` accounts through the real flow (``bench/login.py``'s ``create_account``),
enrols TOTP on each through ``/api/security/totp/*``, then times, through nginx and one at
a time, a password-only login of an account without a factor and the two calls of a TOTP
login (password, then ``/api/authn/mfa/totp``). A TOTP code is accepted once per 30-second
step and credential, so each TOTP account logs in once.

Prints the numbers and a ``RESULT`` line (issue 15, figure 5): TOTP logins/s one at a
time against password-only logins/s one at a time (1 / the median). Exits non-zero only
when a login fails. Usage:
``TESSERA_STACK=test .venv/bin/python bench/login_mfa.py [--quick] [--accounts 20]``
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pyotp
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.results import result  # noqa: E402
from bench.login import PASSWORD, create_account, csrf_session, login_once, percentile  # noqa: E402
from devstack.topology import get_stack  # noqa: E402


def post(session: requests.Session, token: str, url: str, body: dict) -> dict:
    r = session.post(url, json=body, headers={"X-CSRF-Token": token}, timeout=30)
    if r.status_code != 200:
        raise SystemExit(f"{url} answered {r.status_code} {r.text}")
    return r.json()["payload"]


def enrol_totp(base: str, address: str) -> str:
    """Log in and add a TOTP factor to ``address``'s account; return its secret."""
    session, token = csrf_session(base)
    token = post(session, token, f"{base}/api/authn/login", {"email": address, "password": PASSWORD})["csrf_token"]
    secret = post(session, token, f"{base}/api/security/totp/begin", {})["secret"]
    post(session, token, f"{base}/api/security/totp/complete", {"code": pyotp.TOTP(secret).now()})
    session.close()
    return secret


def totp_login(base: str, address: str, secret: str) -> float:
    """One login with password and TOTP in a fresh session; the seconds both calls took."""
    session, token = csrf_session(base)
    started = time.perf_counter()
    first = post(session, token, f"{base}/api/authn/login", {"email": address, "password": PASSWORD})
    # the code of the NEXT step: the enrolment used the current one (each step is accepted once)
    done = post(session, first["csrf_token"], f"{base}/api/authn/mfa/totp",
                {"code": pyotp.TOTP(secret).at(time.time() + 30)})
    took = time.perf_counter() - started
    session.close()
    if not done["logged_in"]:
        raise SystemExit("the TOTP login did not log in")
    return took


def report(name: str, times: list[float]) -> None:
    print(f"{name} ({len(times)} logins): median {statistics.median(times) * 1000:.1f} ms, "
          f"p99 {percentile(times, 0.99) * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="3 accounts (a smoke run)")
    args = parser.parse_args()
    if args.quick:
        args.accounts = 3
    stack = get_stack()
    os.environ.setdefault("TESSERA_ETCD", stack.etcd_address)
    plain = create_account(stack.base_url, stack.mail_dir)
    with_totp = [create_account(stack.base_url, stack.mail_dir) for _ in range(args.accounts)]
    secrets = [enrol_totp(stack.base_url, address) for address in with_totp]
    password_times = []
    for _ in range(args.accounts):
        status, took = login_once(stack.base_url, plain)
        if status != 200:
            raise SystemExit(f"login answered {status}")
        password_times.append(took)
    totp_times = [totp_login(stack.base_url, address, secret) for address, secret in zip(with_totp, secrets)]
    report("password-only login through nginx", password_times)
    report("password + TOTP login through nginx (two calls)", totp_times)
    print(f"TOTP adds {(statistics.median(totp_times) - statistics.median(password_times)) * 1000:.1f} ms "
          "to the median login")
    result("TOTP login (password + code), one at a time", 1 / statistics.median(totp_times), "logins/s",
           ceiling="password-only login, one at a time", ceiling_value=1 / statistics.median(password_times),
           command=f"bench/login_mfa.py: {args.accounts} logins of each kind through nginx (requests, sequential)",
           p50_ms=round(statistics.median(totp_times) * 1000, 1),
           password_p50_ms=round(statistics.median(password_times) * 1000, 1))


if __name__ == "__main__":
    main()
