"""The request path against its ceiling (issue 15, figure 1): an authenticated read,
``GET /api/personal-data/user``, and ``GET /api/authn/session`` (a session read and no
database), beside the bare Flask "hello" under the same gunicorn command behind an
nginx made from the same template (``bench/lib/twin.py``) — wrk, alternating runs,
the median of the rounds.

On a machine that others load too, requests/s measure the share of the cores the
processes got as much as their cost, so each run also sums the CPU seconds of the
processes that serve it (the stack's whole process tree, less what it burns at rest;
the twin's gunicorn and nginx) and wrk's own: CPU per request, whose ratio hello ÷ read is the same figure
on a quiet machine and much steadier on a busy one.

Usage: ``TESSERA_STACK=test .venv/bin/python bench/request_path.py [--quick] [--rounds 3] [--seconds 5]``
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import wrk  # noqa: E402
from bench.lib.processes import cpu_breakdown, cpu_by_process, idle_cpu_rate, stack_pids  # noqa: E402
from bench.lib.results import result  # noqa: E402
from bench.lib.stack import bench_stack, logged_in_cookie, median  # noqa: E402
from bench.lib.twin import hello_twin  # noqa: E402
from bench.login import PASSWORD, create_account  # noqa: E402

CONNECTIONS, THREADS = 8, 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one round of 2 s (a smoke run)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    rounds, seconds = (1, 2.0) if args.quick else (args.rounds, args.seconds)
    stack = bench_stack()
    base = stack.base_url
    address = create_account(base, stack.mail_dir)
    cookie, _ = logged_in_cookie(base, address, PASSWORD)
    auth = {"Cookie": cookie}
    runs: dict[str, list[wrk.WrkRun]] = {"hello": [], "user": [], "session": []}
    cpu_ms: dict[str, list[float]] = {name: [] for name in runs}
    failed = False
    with hello_twin(stack) as twin:
        targets = {
            "hello": (f"{twin.base}/api/personal-data/user", twin.pids),
            "user": (f"{base}/api/personal-data/user", lambda: stack_pids(stack.run_dir)),
            "session": (f"{base}/api/authn/session", lambda: stack_pids(stack.run_dir)),
        }
        for url, _ in targets.values():  # warm-up: workers forked, connections made
            wrk.run(url, seconds=1, connections=CONNECTIONS, threads=THREADS, headers=auth)
        # what each side burns with no load (health checks, Prometheus scrapes) is no
        # request's cost: measured here, taken off each run's CPU below
        idle = {name: idle_cpu_rate(serving(), 1.0 if args.quick else 3.0) for name, (_, serving) in targets.items()}
        print("CPU at rest: " + ", ".join(f"{name} {1000 * rate:.1f} ms/s" for name, rate in idle.items()), flush=True)
        for n in range(rounds):
            for name, (url, serving) in targets.items():
                pids = serving()
                before = cpu_by_process(pids)
                run = wrk.run(url, seconds=seconds, connections=CONNECTIONS, threads=THREADS, headers=auth)
                after = cpu_by_process(pids)
                used = (sum(cpu for _, cpu in after.values()) - sum(cpu for _, cpu in before.values())
                        - idle[name] * run.seconds + run.cpu_seconds)
                runs[name].append(run)
                cpu_ms[name].append(1000 * used / max(1, run.requests))
                print(f"round {n + 1} {name:8} {run.rps:8.1f} req/s  p50 {run.p50_ms:6.2f} ms  "
                      f"p99 {run.p99_ms:6.2f} ms  failed {run.failed}  CPU {cpu_ms[name][-1]:.2f} ms/request "
                      f"(wrk {run.cpu_seconds:.1f} s)\n    CPU ms/request by process: "
                      f"{cpu_breakdown(before, after, run.requests)}", flush=True)
                if run.failed:
                    print(f"FAILED: {run.failed} of {run.requests} answers of {url} were errors", file=sys.stderr)
                    failed = True
    hello = median([r.rps for r in runs["hello"]])
    hello_cpu = median(cpu_ms["hello"])
    for name, figure in (("user", "authenticated read GET /api/personal-data/user"),
                         ("session", "session read GET /api/authn/session")):
        command = f"{runs[name][0].command} (×{rounds}, alternating with the hello twin)"
        result(figure, median([r.rps for r in runs[name]]), "req/s", ceiling="bare Flask hello, same gunicorn+nginx",
               ceiling_value=hello, target=">= 0.6" if name == "user" else None, command=command,
               p50_ms=round(median([r.p50_ms for r in runs[name]]), 2),
               p99_ms=round(median([r.p99_ms for r in runs[name]]), 2),
               hello_p50_ms=round(median([r.p50_ms for r in runs["hello"]]), 2),
               hello_p99_ms=round(median([r.p99_ms for r in runs["hello"]]), 2))
        # the same ratio from CPU per request: requests per CPU second, hello's as the ceiling
        result(f"{figure} (per CPU second)", 1000 / median(cpu_ms[name]), "req/CPU s",
               ceiling="bare Flask hello, same gunicorn+nginx", ceiling_value=1000 / hello_cpu,
               target=">= 0.6" if name == "user" else None,
               command=f"{command}; CPU of the serving processes and wrk from /proc/<pid>/stat",
               cpu_ms_per_request=round(median(cpu_ms[name]), 3), hello_cpu_ms_per_request=round(hello_cpu, 3))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
