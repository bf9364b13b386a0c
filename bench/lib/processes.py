"""The stack's processes and their memory, from /proc: every descendant of its
supervisord (the run dir's ``supervisord.pid``)."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessMemory:
    """One process: pid, name (``comm``), command line, and its RSS and PSS in KiB
    (PSS: each shared page divided among the processes that map it, so the PSS of
    all processes adds up to what they really hold together). ``pss_anon_kib``: the
    anonymous part of the PSS (heaps, stacks), which only the process's own forks share;
    the rest is file pages (binaries, libraries), which every stack on the machine
    running the same binaries shares, so that part shrinks as more stacks run."""

    pid: int
    name: str
    cmdline: str
    rss_kib: int
    pss_kib: int
    pss_anon_kib: int = 0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the name may hold spaces and parentheses: the ppid follows the last ')'
            ppid = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(root: int) -> list[int]:
    """``root`` and every process below it."""
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def memory_of(pid: int) -> ProcessMemory | None:
    """The memory of ``pid`` from ``/proc/<pid>/smaps_rollup``; None when it is gone."""
    base = Path("/proc") / str(pid)
    try:
        fields = {}
        for line in (base / "smaps_rollup").read_text().splitlines()[1:]:
            key, _, rest = line.partition(":")
            fields[key] = int(rest.split()[0]) if rest.split() else 0
        name = (base / "comm").read_text().strip()
        cmdline = (base / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except (OSError, ValueError):
        return None
    return ProcessMemory(pid, name, cmdline, fields.get("Rss", 0), fields.get("Pss", 0),
                         fields.get("Pss_Anon", 0))


def stack_memory(run_dir: Path) -> list[ProcessMemory]:
    """Every process of the stack whose run directory is ``run_dir`` (supervisord and all
    below it). Raises FileNotFoundError when the stack is not running."""
    root = int((run_dir / "supervisord.pid").read_text())
    os.kill(root, 0)
    return [m for m in map(memory_of, descendants(root)) if m is not None]


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes ``pids`` have used so far (gone ones: 0)."""
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return total / _TICK


def stack_pids(run_dir: Path) -> list[int]:
    """Every process of the stack whose run directory is ``run_dir``."""
    return descendants(int((run_dir / "supervisord.pid").read_text()))


def cpu_by_process(pids: list[int]) -> dict[int, tuple[str, float]]:
    """pid → (its kind: ``gunicorn <app>`` or its name, CPU seconds so far)."""
    found = {}
    for pid in pids:
        base = Path("/proc") / str(pid)
        try:
            fields = (base / "stat").read_text().rpartition(")")[2].split()
            cmdline = (base / "cmdline").read_bytes().split(b"\0")
            name = (base / "comm").read_text().strip()
        except OSError:
            continue
        if any(b"gunicorn" in part for part in cmdline[:2]):
            name = "gunicorn " + next((p.decode() for p in reversed(cmdline) if p), "?").split(".app:")[0]
        elif b"-m" in cmdline[1:-1]:
            # the workers, the SMTP sink and the demo RP are all "python": name the module
            name = "python -m " + cmdline[cmdline.index(b"-m", 1) + 1].decode(errors="replace")
        found[pid] = (name, (int(fields[11]) + int(fields[12])) / _TICK)
    return found


def cpu_breakdown(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                  per: int = 1, top: int = 8) -> str:
    """The CPU each kind of process used between two ``cpu_by_process`` snapshots, in
    ms per ``per`` (e.g. per request), the largest first."""
    used: dict[str, float] = {}
    for pid, (name, cpu) in after.items():
        used[name] = used.get(name, 0.0) + cpu - before.get(pid, (name, cpu))[1]
    ranked = sorted(used.items(), key=lambda item: -item[1])[:top]
    return ", ".join(f"{name} {1000 * cpu / max(1, per):.2f}" for name, cpu in ranked if cpu > 0)


def idle_cpu_rate(pids: list[int], seconds: float) -> float:
    """CPU seconds per second that ``pids`` use with no load sent (health checks,
    Prometheus scrapes, timers), measured over ``seconds``: what a load run subtracts
    before it divides the stack's CPU among its requests."""
    before = cpu_seconds(pids)
    started = time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pids) - before) / (time.monotonic() - started)
