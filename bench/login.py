"""Logins per second against the argon2id verify ceiling on the same cores (issue 15,
figure 2).

Runs against a running stack (``make bench`` starts the test stack): it creates one
account through the real signup flow (the code is read from the stack's Maildir), then

1. times ``POST /api/authn/login`` through nginx, one at a time (median, p99);
2. measures the ceiling: one process per core doing nothing but argon2id verifies at the
   configured cost, for as long as the load run;
3. measures logins/s with wrk (``--clients`` connections; a Lua script gives every login
   a fresh anonymous session and its CSRF token from a pool made beforehand, since a
   login rotates the session id) twice: from a *new browser* (no device cookie: each
   login remembers a browser, records ``new_device_login`` and mails an alert, issue 14)
   and from a *known browser* (the ``tessera_device`` cookie of an earlier login kept, as
   most logins are), then the ceiling once more;
4. prints ``RESULT`` lines for each kind: logins/s against the mean ceiling with wrk's
   own CPU share taken out (ceiling × (1 − wrk CPU seconds / (cores × seconds))), and
   logins per CPU second of the whole stack against verifies per CPU second.

Exits non-zero only when a login fails. Usage:
``TESSERA_STACK=test .venv/bin/python bench/login.py [--quick] [--logins 50] [--seconds 10] [--clients 4]``
"""
from __future__ import annotations

import argparse
import email
import email.policy
import json
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import wrk  # noqa: E402
from bench.lib.processes import cpu_breakdown, cpu_by_process, idle_cpu_rate, stack_pids  # noqa: E402
from bench.lib.results import result  # noqa: E402
from bench.lib.stack import anonymous_session  # noqa: E402
from common.config import etcd_client, read_namespace  # noqa: E402
from common.passwords import hasher  # noqa: E402
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


def clear_signup_limits() -> int:
    """Delete the signup rate-limit counters from the test stack's Redis (the suite signs
    up more accounts from one address than a person may); the number deleted."""
    import redis

    stack = get_stack()
    client = redis.Redis(port=stack.ports["redis"])
    keys = list(client.scan_iter(match="*tessera:limits/*signup*", count=1000))
    deleted = client.delete(*keys) if keys else 0
    client.close()
    return deleted


def create_account(base: str, mail_dir: Path) -> str:
    """Sign up through nginx and return the new account's address."""
    address = f"bench-{uuid.uuid4().hex[:10]}@example.org"
    session, token = csrf_session(base)
    headers = {"X-CSRF-Token": token}
    body = {"email": address, "given_name": "Bench", "surname": "Mark", "tou_accepted": True}
    r = session.post(f"{base}/api/signup/register", json=body, headers=headers, timeout=10)
    if r.status_code == 429:  # the signup limit per client: the bench is no person
        clear_signup_limits()
        r = session.post(f"{base}/api/signup/register", json=body, headers=headers, timeout=10)
    r.raise_for_status()
    code = None
    seen: set[Path] = set()  # each mail read once: the Maildir holds every earlier one too
    deadline = time.monotonic() + 120  # a loaded machine delays the mail for tens of seconds
    while code is None and time.monotonic() < deadline:
        for path in set((mail_dir / "new").glob("*")) - seen:
            seen.add(path)
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


def _verify_loop(password_hash: str, argon2: dict, start_at: float, seconds: float) -> tuple[int, float, float]:
    """In a process of its own: argon2id verifies of ``password_hash`` from ``start_at``
    (time.time()) for ``seconds``; returns (verifies done, seconds taken, CPU seconds used)."""
    ph = hasher(argon2)
    time.sleep(max(0.0, start_at - time.time()))
    began, cpu = time.perf_counter(), time.process_time()
    count = 0
    while time.perf_counter() - began < seconds:
        ph.verify(password_hash, PASSWORD)
        count += 1
    return count, time.perf_counter() - began, time.process_time() - cpu


def argon2_ceiling(argon2: dict, seconds: float, processes: int) -> tuple[float, float]:
    """(verifies per second, verifies per CPU second) of ``processes`` processes verifying
    at once, each for ``seconds``."""
    password_hash = hasher(argon2).hash(PASSWORD)
    start_at = time.time() + 0.3
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        done = pool.starmap(_verify_loop, [(password_hash, argon2, start_at, seconds)] * processes)
    return sum(count / took for count, took, _ in done), sum(c for c, _, _ in done) / sum(cpu for _, _, cpu in done)


def bench_latency(base: str, address: str, logins: int) -> list[float]:
    """``logins`` logins one at a time; their durations in seconds. Exits on a failed one."""
    times = []
    for _ in range(logins):
        status, took = login_once(base, address)
        if status != 200:
            raise SystemExit(f"login answered {status}")
        times.append(took)
    print(f"login latency through nginx, one at a time ({logins} logins): median {statistics.median(times) * 1000:.1f} ms, "
          f"p99 {percentile(times, 0.99) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms", flush=True)
    return times


#: wrk's Lua: every login gets the next anonymous session (cookie, CSRF token) of the
#: pool file, each wrk thread its own slice of it
LOGIN_LUA = """
local pool_path, threads, body = %(pool)s, %(threads)d, %(body)s
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
local mine, at = {}, 0
function init(args)
  local i = 0
  for line in io.lines(pool_path) do
    if i %% threads == tid then table.insert(mine, line) end
    i = i + 1
  end
end
function request()
  at = at %% #mine + 1
  local cookie, token = mine[at]:match("([^\t]+)\t(.+)")
  return wrk.format("POST", "/api/authn/login",
    {["Cookie"] = cookie, ["X-CSRF-Token"] = token, ["Content-Type"] = "application/json"}, body)
end
"""


def session_pool(base: str, count: int, extra_cookie: str = "") -> Path:
    """A file of ``count`` fresh anonymous sessions, one ``cookie<TAB>csrf token`` a line;
    ``extra_cookie`` (``name=value``, e.g. a device cookie) is sent beside each session's."""
    import requests

    http = requests.Session()
    with tempfile.NamedTemporaryFile("w", prefix="tessera-bench-sessions-", suffix=".txt", delete=False) as f:
        for _ in range(count):
            cookie, token = anonymous_session(base, http)
            f.write(f"{cookie}; {extra_cookie}\t{token}\n" if extra_cookie else f"{cookie}\t{token}\n")
    return Path(f.name)


def device_cookie(base: str, address: str) -> str:
    """``tessera_device=<value>``: the device cookie of one login of ``address``, which
    makes the browser that sends it a known one for the account (``common.known_devices``)."""
    session, token = csrf_session(base)
    r = session.post(f"{base}/api/authn/login", json={"email": address, "password": PASSWORD},
                     headers={"X-CSRF-Token": token}, timeout=30)
    value = session.cookies.get("tessera_device")
    if r.status_code != 200 or not value:
        raise SystemExit(f"a login gave no device cookie: {r.status_code} {r.text[:200]}")
    return f"tessera_device={value}"


@dataclass(frozen=True)
class LoadRun:
    """One wrk run of logins and the CPU the stack and wrk used for it (CPU seconds, the
    stack's rate at rest taken off); ``before``/``after``: ``cpu_by_process`` snapshots."""

    run: wrk.WrkRun
    used: float
    before: dict
    after: dict


def load_run(base: str, mail_dir: Path, address: str, pids: list[int], idle: float, args: argparse.Namespace,
             count: int, extra_cookie: str = "") -> LoadRun:
    """Logins with wrk for ``args.seconds`` over ``args.clients`` connections, each with a
    session of its own from a pool of ``count`` (with ``extra_cookie`` beside it: then no
    login is from a new browser and none mails), until their queued work is done too."""
    pool = session_pool(base, count, extra_cookie)
    threads = 2
    lua = LOGIN_LUA % {"pool": json.dumps(str(pool)), "threads": threads,
                       "body": json.dumps(json.dumps({"email": address, "password": PASSWORD}))}
    mails = len(list((mail_dir / "new").iterdir()))
    try:
        before, began = cpu_by_process(pids), time.monotonic()
        run = wrk.run(f"{base}/api/authn/login", seconds=args.seconds, connections=args.clients,
                      threads=threads, lua=lua)
        # the work a login queued (the alert mail, the AM's copy of last_used) is part of
        # its cost: the snapshot waits for it, and the next run starts on a quiet stack
        wait_for_queued_work(mail_dir, mails + (run.requests if not extra_cookie else 0))
        after, took = cpu_by_process(pids), time.monotonic() - began
    finally:
        pool.unlink(missing_ok=True)
    used = (sum(cpu for _, cpu in after.values()) - sum(cpu for _, cpu in before.values())
            - idle * took + run.cpu_seconds)
    return LoadRun(run, used, before, after)


def wait_for_queued_work(mail_dir: Path, mails: int, timeout: float = 120) -> None:
    """Wait (at most ``timeout`` s) until the Maildir holds ``mails`` mails and the AM's
    queue is empty; says so when it gives up (the CPU figure then misses some work)."""
    import pika

    from common.queues import AM_SYNC

    connection = pika.BlockingConnection(pika.URLParameters(read_namespace(etcd_client(), "common")["amqp_url"]))
    try:
        channel = connection.channel()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (len(list((mail_dir / "new").iterdir())) >= mails
                    and channel.queue_declare(AM_SYNC.name, passive=True).method.message_count == 0):
                return
            time.sleep(0.1)
        print(f"the queued work of the logins was not done within {timeout:g} s", flush=True)
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (a smoke run)")
    parser.add_argument("--logins", type=int, default=50, help="logins one at a time")
    parser.add_argument("--seconds", type=float, default=10, help="each ceiling run and the load run")
    parser.add_argument("--clients", type=int, default=4, help="wrk connections")
    args = parser.parse_args()
    if args.quick:
        args.logins, args.seconds = 5, 2.0
    stack = get_stack()
    os.environ.setdefault("TESSERA_ETCD", stack.etcd_address)
    argon2 = read_namespace(etcd_client(), "common")["argon2"]
    cores = os.cpu_count() or 1
    address = create_account(stack.base_url, stack.mail_dir)
    bench_latency(stack.base_url, address, args.logins)

    first, first_per_cpu = argon2_ceiling(argon2, args.seconds, cores)
    # a login rotates the session id, so each needs a session of its own: twice what the
    # ceiling allows, plus a margin (a reused one would answer 403 and fail the run)
    count = int(first * args.seconds * 2) + 100
    pids = stack_pids(stack.run_dir)
    idle = idle_cpu_rate(pids, 1.0 if args.quick else 3.0)  # health checks, scrapes: no login's cost
    runs = {"": load_run(stack.base_url, stack.mail_dir, address, pids, idle, args, count),
            ", known browser": load_run(stack.base_url, stack.mail_dir, address, pids, idle, args, count,
                                        device_cookie(stack.base_url, address))}
    second, second_per_cpu = argon2_ceiling(argon2, args.seconds, cores)
    ceiling, per_cpu = (first + second) / 2, (first_per_cpu + second_per_cpu) / 2
    print(f"argon2id m={argon2['memory_cost_kib']} KiB t={argon2['time_cost']} p={argon2['parallelism']}: "
          f"{cores} processes verify {first:.1f}/s before and {second:.1f}/s after the load runs", flush=True)
    failed = 0
    for kind, measured in runs.items():
        run, used = measured.run, measured.used
        failed += run.failed
        browser = "a new browser each (device cookie dropped)" if not kind else "a known browser (device cookie kept)"
        share = min(1.0, run.cpu_seconds / (cores * run.seconds))
        print(f"logins from {browser} with {args.clients} wrk connections: {run.rps:.1f}/s over "
              f"{run.seconds:.1f} s, p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, {run.failed} failed; "
              f"wrk used {run.cpu_seconds:.2f} CPU s ({share:.1%} of the cores)", flush=True)
        command = (f"{run.command} (Lua: a fresh session + CSRF token per login"
                   f"{'; one known device cookie' if kind else ''}) between two runs of "
                   f"{cores} processes × argon2id verify {args.seconds:g} s")
        result(f"login/s{kind}", run.rps, "logins/s", ceiling="argon2id verifies/s, same cores, minus wrk's CPU",
               ceiling_value=ceiling * (1 - share), target=">= 0.85", command=command,
               raw_ceiling=round(ceiling, 2), wrk_cpu_share=round(share, 3),
               p50_ms=round(run.p50_ms, 1), p99_ms=round(run.p99_ms, 1))
        # the same ratio from CPU time, steadier on a machine that others load too: logins
        # per CPU second of the whole stack and wrk, against verifies per CPU second
        print(f"CPU: {1000 * used / max(1, run.requests):.1f} ms per login (stack + wrk, less the stack's "
              f"{1000 * idle:.0f} ms/s at rest), {1000 / per_cpu:.1f} ms per verify\n  CPU ms/login by process: "
              f"{cpu_breakdown(measured.before, measured.after, run.requests)}", flush=True)
        result(f"login/s{kind} (per CPU second)", run.requests / used if used else 0.0, "logins/CPU s",
               ceiling="argon2id verifies/CPU s", ceiling_value=per_cpu, target=">= 0.85",
               command=f"{command}; CPU of the stack's processes and wrk from /proc/<pid>/stat",
               cpu_ms_per_login=round(1000 * used / max(1, run.requests), 1))
    if failed:
        print(f"FAILED: {failed} logins did not answer 200", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
