"""AM sync (issue 15, figure 3): an API write, ``POST /api/personal-data/user`` through
nginx, until the change is visible in the central database — p50/p99 at an offered
100 writes/s, open loop.

Open loop: write i is due at ``start + i / rate`` whatever became of the earlier ones,
and its latency counts from when it was due (not when a free client got to it), so a
platform that falls behind shows it in the numbers instead of slowing the load
(no coordinated omission). 16 accounts (made in the central database as the tests
make them, each logged in through nginx) take the writes in turn, each through a
keep-alive connection of its own thread. Each write sets a unique ``given_name``; a
MongoDB change stream on ``tessera_central.users`` (opened before the load) stamps
the moment each one becomes visible there, which is the figure; the HTTP answer's
latency is printed beside it, and so is the stack's CPU per write by process (from
/proc/<pid>/stat, less what the stack burns at rest), the figure a busy machine
cannot inflate as much as the latency: at 100 writes/s on 2 cores the platform can
keep up only while a write costs well under 20 ms of CPU in all processes together.
The change stream's own cost (mongod) is part of it.

Exits non-zero only when a write fails (an answer other than 200) or never becomes
visible. Usage: ``TESSERA_STACK=test .venv/bin/python bench/am_sync.py [--quick]
[--rate 100] [--seconds 20]``
"""
from __future__ import annotations

import argparse
import http.client
import json
import queue
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.processes import cpu_breakdown, cpu_by_process, idle_cpu_rate, stack_pids  # noqa: E402
from bench.lib.results import result  # noqa: E402
from bench.lib.stack import bench_stack, logged_in_cookie  # noqa: E402
from common.config import etcd_client, read_namespace  # noqa: E402
from common.passwords import hash_password  # noqa: E402
from devstack.mongo_access import admin_client  # noqa: E402

ACCOUNTS = 16
PASSWORD = "bench horse battery staple 42"
TARGET_P99_MS = 30.0


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def make_accounts(stack, count: int) -> list[str]:
    """``count`` accounts in the central database, verified address and password (the
    shape ``tests/users.py`` gives them); return their addresses."""
    argon2 = read_namespace(etcd_client(), "common")["argon2"]
    password_hash = hash_password(PASSWORD, argon2)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    addresses, documents = [], []
    for n in range(count):
        address = f"bench-am-{uuid.uuid4().hex[:10]}@example.org"
        addresses.append(address)
        documents.append({
            "_id": uuid.uuid4().hex, "given_name": "Bench", "surname": "Mark", "display_name": "Bench Mark",
            "language": "en",
            "emails": [{"email": address, "verified": True, "primary": True, "created": now, "verified_at": now}],
            "phones": [],
            "credentials": [{"credential_id": f"bench{n:04d}", "type": "password", "hash": password_hash,
                             "created": now, "last_used": None}],
            "tou": {"version": "2024-01", "accepted_at": now}, "created": now, "modified": now,
            "verified_emails": [address], "verified_phones": []})
    client = admin_client(stack)
    try:
        client.tessera_central.users.insert_many(documents)
    finally:
        client.close()
    return addresses


class Watcher(threading.Thread):
    """Stamps (``time.perf_counter``) each ``given_name`` the central users get, from a
    change stream opened before the load starts."""

    def __init__(self, stack) -> None:
        super().__init__(daemon=True)
        self.client = admin_client(stack)
        self.stream = self.client.tessera_central.users.watch(
            [{"$match": {"operationType": "update"}}], max_await_time_ms=100)
        self.seen: dict[str, float] = {}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            change = self.stream.try_next()
            if change is None:
                continue
            stamp = time.perf_counter()
            name = (change.get("updateDescription") or {}).get("updatedFields", {}).get("given_name")
            if name:
                self.seen.setdefault(name, stamp)

    def close(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        self.stream.close()
        self.client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s at the rate (a smoke run)")
    parser.add_argument("--rate", type=float, default=100.0, help="offered writes per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    stack = bench_stack()
    base = stack.base_url
    sessions = [logged_in_cookie(base, address, PASSWORD) for address in make_accounts(stack, ACCOUNTS)]
    total = int(args.rate * seconds)
    run_id = uuid.uuid4().hex[:6]
    due: list[float] = [0.0] * total
    answered: list[float | None] = [None] * total
    failures: list[str] = []

    # one queue per account, so that one account's writes never overlap (as one person's)
    watcher = Watcher(stack)
    watcher.start()
    pids = stack_pids(stack.run_dir)
    idle = idle_cpu_rate(pids, 1.0 if args.quick else 3.0)  # health checks, scrapes: no write's cost
    per_account: list[queue.Queue[int | None]] = [queue.Queue() for _ in sessions]

    def account_client(slot: int) -> None:
        local = per_account[slot]
        cookie, token = sessions[slot]
        connection = http.client.HTTPConnection("127.0.0.1", stack.ports["http"], timeout=30)
        headers = {"Cookie": cookie, "X-CSRF-Token": token, "Content-Type": "application/json",
                   "Host": f"localhost:{stack.ports['http']}"}
        while (i := local.get()) is not None:
            body = json.dumps({"given_name": f"B{run_id}x{i}", "surname": "Mark", "language": "en"})
            try:
                connection.request("POST", "/api/personal-data/user", body, headers)
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"write {i}: {exc!r}")
                connection.close()
                continue
            answered[i] = time.perf_counter()
            if response.status != 200:
                failures.append(f"write {i}: {response.status} {payload[:200]!r}")

    threads = [threading.Thread(target=account_client, args=(slot,), daemon=True) for slot in range(len(sessions))]
    for thread in threads:
        thread.start()
    cpu_before, cpu_began = cpu_by_process(pids), time.perf_counter()
    start = time.perf_counter() + 0.2
    for i in range(total):
        due[i] = start + i / args.rate
        delay = due[i] - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        per_account[i % len(sessions)].put(i)
    for local in per_account:
        local.put(None)
    for thread in threads:
        thread.join(timeout=120)
    offered_for = time.perf_counter() - start
    names = {f"B{run_id}x{i}": i for i in range(total)}
    deadline = time.perf_counter() + 30
    while sum(1 for name in names if name in watcher.seen) < total and time.perf_counter() < deadline:
        time.sleep(0.05)
    cpu_after, cpu_seconds = cpu_by_process(pids), time.perf_counter() - cpu_began
    watcher.close()
    used = sum(cpu - cpu_before.get(pid, (name, cpu))[1] for pid, (name, cpu) in cpu_after.items())
    cpu_ms = 1000 * max(0.0, used - idle * cpu_seconds) / total
    visible_ms = [(watcher.seen[name] - due[i]) * 1000 for name, i in names.items() if name in watcher.seen]
    answer_ms = [(answered[i] - due[i]) * 1000 for i in range(total) if answered[i] is not None]
    missing = total - len(visible_ms)
    done_rate = len(answer_ms) / offered_for if offered_for else 0.0
    print(f"{total} writes offered at {args.rate:.0f}/s over {seconds:.0f} s by {len(sessions)} accounts "
          f"(open loop); answered {len(answer_ms)} ({done_rate:.0f}/s), {len(failures)} failed, "
          f"{missing} never visible")
    if answer_ms:
        print(f"answer:  p50 {percentile(answer_ms, 0.5):.1f} ms, p99 {percentile(answer_ms, 0.99):.1f} ms, "
              f"max {max(answer_ms):.1f} ms")
    print(f"CPU: {cpu_ms:.1f} ms per write (the stack, less its {1000 * idle:.0f} ms/s at rest)\n"
          f"  CPU ms/write by process: {cpu_breakdown(cpu_before, cpu_after, total, top=10)}")
    if visible_ms:
        print(f"visible: p50 {percentile(visible_ms, 0.5):.1f} ms, p99 {percentile(visible_ms, 0.99):.1f} ms, "
              f"max {max(visible_ms):.1f} ms")
        result("AM sync: write → visible centrally, p99", percentile(visible_ms, 0.99), "ms",
               target=f"<= {TARGET_P99_MS:.0f}", offered_per_s=args.rate, achieved_per_s=round(done_rate, 1),
               p50_ms=round(percentile(visible_ms, 0.5), 1),
               answer_p50_ms=round(percentile(answer_ms, 0.5), 1) if answer_ms else None,
               answer_p99_ms=round(percentile(answer_ms, 0.99), 1) if answer_ms else None,
               cpu_ms_per_write=round(cpu_ms, 2),
               command=f"bench/am_sync.py --rate {args.rate:.0f} --seconds {seconds:.0f} "
                       f"({len(sessions)} accounts, open loop, POST /api/personal-data/user via nginx)")
    for failure in failures[:5]:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures or missing else 0


if __name__ == "__main__":
    sys.exit(main())
