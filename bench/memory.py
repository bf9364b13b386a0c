"""The stack's memory at rest and under load, and the SPA's initial JS (issue 15,
figure 6).

Memory: every process of the stack (supervisord and everything below it, from /proc),
summed as PSS (shared pages divided among the processes that share them: what the
stack really holds, and what a gunicorn ``--preload`` saves) and as RSS (which counts
shared pages once per process), at rest and at the highest sample while wrk sends the
authenticated read, a session read and every service's health check through nginx.
The SPA's initial JS: the scripts ``frontend/dist/index.html`` loads, gzipped.

The figure depends on the topology, which it prints: the test stacks run a second
personal_data and a second AM worker that the dev stack (the issue's "whole idle dev
stack") does not, so the script also prints the dev topology's figure, the same
measurement without those replicas' process trees. PSS counts a file page (binaries,
libraries) shared with other stacks on the machine as a fraction, so the figure is
lower while other stacks run; the anonymous part (heaps) does not move with them, and
is printed beside it.

Usage: ``TESSERA_STACK=test .venv/bin/python bench/memory.py [--quick] [--seconds 10]``
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import wrk  # noqa: E402
from bench.lib.processes import ProcessMemory, stack_memory  # noqa: E402
from bench.lib.results import result  # noqa: E402
from bench.lib.stack import bench_stack, logged_in_cookie  # noqa: E402
from bench.login import PASSWORD, create_account  # noqa: E402
from devstack import supervisor  # noqa: E402
from devstack.topology import ROOT, SERVICES, WORKERS, Stack, gunicorn_workers, service_of  # noqa: E402

GIB_KIB = 1024 * 1024
#: wrk's Lua: the next path of the list for every request
PATHS_LUA = """
local paths, at = %s, 0
function request()
  at = at %% #paths + 1
  return wrk.format("GET", paths[at])
end
"""


def kind(process: ProcessMemory) -> str:
    """What a process is, for the breakdown: ``gunicorn``, ``python`` (a queue worker,
    the SMTP sink…), ``beam.smp``, ``mongod``…"""
    if "gunicorn" in process.cmdline:
        return "gunicorn"
    return process.name


def describe(processes: list[ProcessMemory]) -> str:
    """A line per kind of process: how many, their PSS and RSS in MiB."""
    counts: Counter[str] = Counter()
    pss: Counter[str] = Counter()
    rss: Counter[str] = Counter()
    for p in processes:
        counts[kind(p)] += 1
        pss[kind(p)] += p.pss_kib
        rss[kind(p)] += p.rss_kib
    return "\n".join(f"  {name:16} {counts[name]:3} processes  PSS {pss[name] / 1024:7.1f} MiB  "
                     f"RSS {rss[name] / 1024:7.1f} MiB" for name, _ in pss.most_common())


def file_pages_once_kib(pids: list[int]) -> int:
    """KiB of file pages (binaries, libraries) the processes ``pids`` map, each file
    counted once at the most any of them has resident: what the PSS's file part would
    be with no other stack on the machine sharing the same files (an estimate: two
    processes holding different pages of one file count as the larger)."""
    most: dict[str, int] = {}
    for pid in pids:
        try:
            text = (Path("/proc") / str(pid) / "smaps").read_text()
        except OSError:
            continue
        path = None
        for line in text.splitlines():
            head = line.split(None, 5)
            if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
                path = head[5] if len(head) == 6 and head[5].startswith("/") else None
            elif path and line.startswith("Rss:"):
                most[path] = max(most.get(path, 0), int(line.split()[1]))
    return sum(most.values())


def program_trees(stack: Stack) -> dict[str, set[int]]:
    """Each running supervisord program of ``stack`` (``personal_data-2``, ``am-1``,
    ``mongo``…) → the pids of its process tree (a gunicorn master and its workers)."""
    from bench.lib.processes import descendants

    info = supervisor.rpc(stack).supervisor.getAllProcessInfo()
    return {p["name"]: set(descendants(p["pid"])) for p in info if p["pid"]}


def topology(stack: Stack, trees: dict[str, set[int]]) -> str:
    """What ran of the services and queue workers, from the processes: ``authn ×1 (2
    workers, configured 2)`` … ``am ×2``; a gunicorn program's workers are its master's
    children."""
    services = {s.name for s in SERVICES}
    counts: Counter[str] = Counter(service_of(name) for name in trees
                                   if service_of(name) in services | set(WORKERS))
    parts = []
    for name in sorted(counts, key=lambda n: (n not in services, n)):
        text = f"{name} ×{counts[name]}"
        if name in services:
            workers = sorted({len(pids) - 1 for program, pids in trees.items() if service_of(program) == name})
            text += f" ({'/'.join(map(str, workers))} worker{'s' if workers != [1] else ''}"
            text += f", configured {gunicorn_workers(name)})"
        parts.append(text)
    return f"{stack.name} stack: " + ", ".join(parts)


def replica_pids(stack: Stack, trees: dict[str, set[int]]) -> set[int]:
    """The pids of the instances beyond the first of every replicated service or worker
    (the dev stack runs one of each)."""
    extra: set[int] = set()
    for program, pids in trees.items():
        name = service_of(program)
        if stack.replicas.get(name, 1) > 1 and stack.instances(name).index(program) > 0:
            extra |= pids
    return extra


def initial_js_gzip(dist: Path) -> tuple[int, list[str]]:
    """Bytes of the scripts ``dist/index.html`` loads at once (``<script src>`` and
    ``<link rel=modulepreload>``), each gzipped at level 9; and their names."""
    html = (dist / "index.html").read_text()
    names = re.findall(r'<script[^>]*\ssrc="([^"]+\.js)"', html)
    names += re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"', html)
    total = 0
    for name in names:
        total += len(gzip.compress((dist / name.lstrip("/")).read_bytes(), 9))
    return total, names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 2 s load (a smoke run)")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    seconds = 2.0 if args.quick else args.seconds
    stack = bench_stack()
    trees = program_trees(stack)
    rest = stack_memory(stack.run_dir)
    rest_pss, rest_rss = sum(p.pss_kib for p in rest), sum(p.rss_kib for p in rest)
    rest_anon = sum(p.pss_anon_kib for p in rest)
    alone = rest_anon + file_pages_once_kib([p.pid for p in rest])
    workers = sum(1 for p in rest if kind(p) == "gunicorn")
    shape = topology(stack, trees)
    extra = replica_pids(stack, trees)
    dev = [p for p in rest if p.pid not in extra]
    dev_pss, dev_anon = sum(p.pss_kib for p in dev), sum(p.pss_anon_kib for p in dev)
    dev_alone = dev_anon + file_pages_once_kib([p.pid for p in dev])
    print(f"topology: {shape}", flush=True)
    print(f"at rest: {len(rest)} processes ({workers} gunicorn), PSS {rest_pss / 1024:.0f} MiB "
          f"(anonymous {rest_anon / 1024:.0f} MiB), RSS {rest_rss / 1024:.0f} MiB\n{describe(rest)}", flush=True)
    print(f"as if alone on the machine (anonymous PSS + each mapped file once): {alone / 1024:.0f} MiB",
          flush=True)
    if extra:
        print(f"dev topology (without the test stack's replicas beyond the first, {len(extra)} processes): "
              f"PSS {dev_pss / 1024:.0f} MiB (anonymous {dev_anon / 1024:.0f} MiB; as if alone "
              f"{dev_alone / 1024:.0f} MiB)", flush=True)

    cookie, _ = logged_in_cookie(stack.base_url, create_account(stack.base_url, stack.mail_dir), PASSWORD)
    paths = ["/api/personal-data/user", "/api/authn/session"] + [
        f"/api/{s.url_name}/status/healthy" for s in SERVICES]
    peak: list[list[ProcessMemory]] = [[]]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            now = stack_memory(stack.run_dir)
            if sum(p.pss_kib for p in now) > sum(p.pss_kib for p in peak[0]):
                peak[0] = now
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run = wrk.run(f"{stack.base_url}/", seconds=seconds, headers={"Cookie": cookie},
                      lua=PATHS_LUA % ("{" + ", ".join(json.dumps(p) for p in paths) + "}"))
    finally:
        stop.set()
        sampler.join()
    load_pss, load_rss = sum(p.pss_kib for p in peak[0]), sum(p.rss_kib for p in peak[0])
    print(f"under load ({run.rps:.0f} req/s over {len(paths)} routes, peak sample): PSS {load_pss / 1024:.0f} MiB, "
          f"RSS {load_rss / 1024:.0f} MiB\n{describe(peak[0])}", flush=True)
    command = "sum of /proc/<pid>/smaps_rollup over supervisord's process tree"
    result("stack memory at rest (PSS)", rest_pss / 1024, "MiB", target="<= 1024", command=command,
           rss_mib=round(rest_rss / 1024), anon_pss_mib=round(rest_anon / 1024),
           alone_estimate_mib=round(alone / 1024), processes=len(rest),
           gunicorn_processes=workers, topology=shape)
    if extra:
        result("stack memory at rest, dev topology (PSS)", dev_pss / 1024, "MiB", target="<= 1024",
               command=f"{command}, less the process trees of the test stack's second personal_data "
                       "and AM worker (the dev stack runs one of each)",
               anon_pss_mib=round(dev_anon / 1024), alone_estimate_mib=round(dev_alone / 1024),
               processes=len(dev))
    result("stack memory under load (PSS, peak)", load_pss / 1024, "MiB", command=f"{command}, every 0.5 s "
           f"during {run.command}", rss_mib=round(load_rss / 1024))
    dist = ROOT / "frontend" / "dist"
    if (dist / "index.html").exists():
        size, names = initial_js_gzip(dist)
        print(f"SPA initial JS: {', '.join(names)}: {size / 1000:.1f} kB gzipped (level 9)", flush=True)
        result("SPA initial JS, gzipped", size / 1000, "kB", target="<= 120",
               command="gzip -9 of the scripts frontend/dist/index.html loads")
    else:
        print("no frontend/dist/index.html: the SPA is not built, its size is not measured")
    if run.failed:
        print(f"FAILED: {run.failed} of {run.requests} answers under load were errors", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
