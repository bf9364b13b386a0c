"""Profile a service's gunicorn workers under wrk load with py-spy (issue 15):
``python -m bench.lib.profile [--path /api/personal-data/user] [--seconds 15]``.

One account signs up and logs in; wrk sends ``GET <path>`` with its cookie straight at
the first gunicorn instance of the service (no nginx: only the service's own work is
sampled) while ``py-spy record --native`` samples every worker of that gunicorn. The
collapsed stacks are summed into the functions with the most samples *inclusive* (on
the stack anywhere: where the time goes) and *self* (at the top: what burns it), by
``function (file)`` without line numbers. Prints both tables; ``--raw`` keeps the stacks.
"""
from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.lib import wrk
from bench.lib.processes import descendants
from bench.lib.stack import bench_stack, logged_in_cookie
from bench.login import PASSWORD, create_account
from devstack import supervisor
from devstack.topology import ROOT

_LINE = re.compile(r"^(.*) (\d+)$")
_FRAME_LINE = re.compile(r":\d+\)$")


def frame_name(frame: str) -> str:
    """``get_user (common/users.py:42)`` → ``get_user (common/users.py)``; site-packages
    and the venv cut off the file's path."""
    frame = _FRAME_LINE.sub(")", frame)
    for marker in ("site-packages/", str(ROOT) + "/", "lib/python3.11/"):
        frame = frame.replace(marker, "") if marker in frame else frame
    return re.sub(r"\(/[^ ]*/(site-packages|python3\.\d+)/", "(", frame)


#: leaf frames of a thread that waits (off the CPU): left out, so the tables are CPU time
WAITING = ("poll (", "select (", "clock_nanosleep (", "epoll_wait (", "pthread_cond_wait", "pthread_cond_timedwait",
           "__futex", "futex", "accept (", "sem_wait", "sem_clockwait", "__GI___poll", "recv (", "nanosleep (")


def summarise(collapsed: str, top: int = 30) -> str:
    """The inclusive and self tables of py-spy's collapsed (``--format raw``) output,
    over the samples on the CPU (a stack whose top frame waits is left out)."""
    inclusive: collections.Counter[str] = collections.Counter()
    self_time: collections.Counter[str] = collections.Counter()
    total = waiting = 0
    for line in collapsed.splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        frames = [frame_name(f) for f in match.group(1).split(";")[1:]]  # the first is the process
        count = int(match.group(2))
        # a wait's top frame may be an unnamed libc address below the named wait
        if frames and (frames[-1].startswith(WAITING) or any(f.startswith(WAITING) for f in frames[-3:])):
            waiting += count
            continue
        total += count
        for name in set(frames):
            inclusive[name] += count
        if frames:
            self_time[frames[-1]] += count
    if not total:
        return "no samples"
    out = [f"{total} samples on the CPU ({waiting} waiting, left out)"]
    for title, table in (("inclusive (on the stack)", inclusive), ("self (top of the stack)", self_time)):
        out.append(f"\n{title}:")
        out += [f"  {100 * n / total:5.1f}%  {name}" for name, n in table.most_common(top)]
    return "\n".join(out)


def worker_pids(stack, program: str) -> list[int]:
    """The gunicorn worker pids of supervisord program ``program``."""
    master = supervisor.rpc(stack).supervisor.getProcessInfo(f"services:{program}")["pid"]
    return [pid for pid in descendants(master) if pid != master]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default="/api/personal-data/user")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--raw", type=Path, help="also keep the collapsed stacks here")
    args = parser.parse_args()
    stack = bench_stack()
    service = args.path.split("/")[2].replace("-", "_")
    program = stack.instances(service)[0]
    cookie, _ = logged_in_cookie(stack.base_url, create_account(stack.base_url, stack.mail_dir), PASSWORD)
    url = f"http://127.0.0.1:{stack.instance_port(program)}{args.path}"
    pids = worker_pids(stack, program)
    outputs = [Path(tempfile.mktemp(prefix=f"tessera-pyspy-{pid}-", suffix=".txt")) for pid in pids]
    py_spy = str(Path(sys.executable).parent / "py-spy")  # requirements-dev, in the venv
    # --native needs the process paused while it is sampled (no --nonblocking)
    spies = [subprocess.Popen([py_spy, "record", "--native", "-r", str(args.rate),
                               "-d", str(args.seconds + 1), "-f", "raw", "-o", str(out), "-p", str(pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for pid, out in zip(pids, outputs)]
    run = wrk.run(url, seconds=args.seconds, headers={"Cookie": cookie, "X-Real-IP": "127.0.0.1"})
    for spy in spies:
        _, err = spy.communicate()
        if spy.returncode != 0:
            print(f"py-spy failed: {err[-1000:]}", file=sys.stderr)
    collapsed = "\n".join(out.read_text() for out in outputs if out.exists())
    for out in outputs:
        out.unlink(missing_ok=True)
    if args.raw:
        args.raw.write_text(collapsed)
    print(f"py-spy record --native -r {args.rate} on {program}'s workers {pids} during {run.command}: "
          f"{run.rps:.0f} req/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, {run.failed} failed")
    print(summarise(collapsed, args.top))
    return 0 if not run.failed else 1


if __name__ == "__main__":
    sys.exit(main())
