"""Login latency and throughput with the configured argon2id cost.

Runs against a running stack (``make bench`` starts the test stack): it creates one
account through the real signup flow (the code is read from the stack's Maildir), then

1. times argon2id hash and verify in-process with the configured parameters;
2. times ``POST /api/authn/login`` through nginx, one at a time (median, p99);
3. measures logins per second with several concurrent clients.

Prints the numbers; asserts nothing about them (timing assertions are flaky here).
Usage: ``TESSERA_STACK=test .venv/bin/python bench/login.py [--logins 200] [--seconds 10] [--clients 4]``
"""
from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.config import etcd_client, read_namespace  # noqa: E402
from common.passwords import hash_password, verify_password  # noqa: E402
from devstack.topology import get_stack  # noqa: E402

PASSWORD = "bench horse battery staple 42"


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def csrf_session(base: str) -> tuple[requests.Session, str]:
    session = requests.Session()
    token = session.get(f"{base}/api/jsconfig/config", timeout=10).json()["payload"]["csrf_token"]
    return session, token


def create_account(base: str, mail_dir: Path) -> str:
    """Sign up through nginx and return the new account's address."""
    address = f"bench-{uuid.uuid4().hex[:10]}@example.org"
    session, token = csrf_session(base)
    headers = {"X-CSRF-Token": token}
    r = session.post(f"{base}/api/signup/register", json={"email": address, "given_name": "Bench",
                                                            "surname": "Mark", "tou_accepted": True},
                     headers=headers, timeout=10)
    r.raise_for_status()
    code = None
    deadline = time.monotonic() + 30
    while code is None and time.monotonic() < deadline:
        for path in (mail_dir / "new").glob("*"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message["To"]):
                text = message.get_body(preferencelist=("plain",)).get_content()
                code = re.search(r"\b(\d{6})\b", text).group(1)
        time.sleep(0.1)
    if code is None:
        raise SystemExit("no signup mail arrived: is the msg worker running?")
    session.post(f"{base}/api/signup/verify", json={"email": address, "code": code}, headers=headers,
                 timeout=10).raise_for_status()
    r = session.post(f"{base}/api/signup/password", json={"password": PASSWORD}, headers=headers, timeout=30)
    if r.status_code not in (200, 201, 202):
        raise SystemExit(f"signup failed: {r.status_code} {r.text}")
    # the account must be in the central database before anyone can log in
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if login_once(base, address)[0] == 200:
            return address
        time.sleep(0.2)
    raise SystemExit("the new account never became able to log in")


def login_once(base: str, address: str) -> tuple[int, float]:
    """One login with a fresh session; returns (status, seconds spent in the login call)."""
    session, token = csrf_session(base)
    started = time.perf_counter()
    r = session.post(f"{base}/api/authn/login", json={"email": address, "password": PASSWORD},
                     headers={"X-CSRF-Token": token}, timeout=30)
    took = time.perf_counter() - started
    session.close()
    return r.status_code, took


def bench_hashing(rounds: int) -> None:
    argon2 = read_namespace(etcd_client(), "common")["argon2"]
    hashes, verifies = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        h = hash_password(PASSWORD, argon2)
        hashes.append(time.perf_counter() - t)
        t = time.perf_counter()
        verify_password(h, PASSWORD, argon2)
        verifies.append(time.perf_counter() - t)
    print(f"argon2id m={argon2['memory_cost_kib']} KiB t={argon2['time_cost']} p={argon2['parallelism']}: "
          f"hash median {statistics.median(hashes) * 1000:.1f} ms, verify median {statistics.median(verifies) * 1000:.1f} ms "
          f"({rounds} rounds)")


def bench_latency(base: str, address: str, logins: int) -> None:
    times = []
    for _ in range(logins):
        status, took = login_once(base, address)
        if status != 200:
            raise SystemExit(f"login answered {status}")
        times.append(took)
    print(f"login latency through nginx, sequential ({logins} logins): median {statistics.median(times) * 1000:.1f} ms, "
          f"p99 {percentile(times, 0.99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")


def bench_throughput(base: str, address: str, seconds: float, clients: int) -> None:
    done: list[int] = []
    failures: list[int] = []
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < stop_at:
            status, _ = login_once(base, address)
            (done if status == 200 else failures).append(status)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    print(f"logins per second with {clients} concurrent clients over {elapsed:.1f} s: "
          f"{len(done) / elapsed:.1f} ({len(done)} ok, {len(failures)} not ok)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    stack = get_stack()
    os.environ.setdefault("TESSERA_ETCD", stack.etcd_address)
    bench_hashing(20)
    address = create_account(stack.base_url, stack.mail_dir)
    bench_latency(stack.base_url, address, args.logins)
    bench_throughput(stack.base_url, address, args.seconds, args.clients)


if __name__ == "__main__":
    main()
