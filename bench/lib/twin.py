"""The stack's "hello" twin: the bare Flask app of ``bench.lib.hello`` under the very
gunicorn command line the stack runs its services with, behind a second nginx made
from the same template (``devstack.render.nginx_conf``) with the hello behind every
``/api/<service>/`` location. A figure measured through it and the same figure through
the stack differ only by what the service does inside gunicorn.

A second nginx rather than a location in the stack's own: the gateway's config stays
what production runs, and both nginxes are built by one function from one template.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests

from bench.lib.processes import descendants
from devstack import render, supervisor
from devstack.topology import SERVICES, Stack

HELLO_APP = "bench.lib.hello:app"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(stack: Stack, port: int, app: str = HELLO_APP) -> list[str]:
    """The stack's gunicorn command of personal_data's first instance, bound to ``port``
    and serving ``app`` instead (same workers, worker class, limits, logging)."""
    program = stack.instances("personal_data")[0]
    cmd = next(p.command for p in supervisor.programs(stack) if p.name == program)
    cmd = list(cmd)
    cmd[cmd.index("--bind") + 1] = f"127.0.0.1:{port}"
    cmd[-1] = app
    return cmd


def _wait_ready(url: str, deadline: float, procs: list[subprocess.Popen]) -> None:
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited {proc.returncode} while starting")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the hello twin never answered {url}")


def _stop(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Twin:
    """A running twin: ``base`` is its URL (``http://127.0.0.1:<port>``)."""

    base: str
    masters: tuple[int, ...]

    def pids(self) -> list[int]:
        """Its processes now: the gunicorn and nginx masters and their workers."""
        return [pid for master in self.masters for pid in descendants(master)]


@contextlib.contextmanager
def hello_twin(stack: Stack) -> Iterator[Twin]:
    """Start the twin; yield it; stop it after. Its files live in ``<run>/bench/twin``.
    Raises RuntimeError when it does not start."""
    run = stack.run_dir / "bench" / "twin"
    for part in ("nginx", "log"):
        (run / part).mkdir(parents=True, exist_ok=True)
    app_port, http_port = free_port(), free_port()
    conf = render.nginx_conf(stack, run=run, listen=f"127.0.0.1:{http_port}",
                             servers={s.name: [f"127.0.0.1:{app_port}"] for s in SERVICES})
    (run / "nginx" / "nginx.conf").write_text(conf)
    root = Path(__file__).resolve().parents[2]
    log = open(run / "log" / "gunicorn.log", "ab")
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(gunicorn_command(stack, app_port), cwd=root, stdout=log, stderr=log,
                                      env=dict(os.environ), start_new_session=True))
        procs.append(subprocess.Popen(["nginx", "-e", str(run / "log" / "nginx-error.log"),
                                       "-c", str(run / "nginx" / "nginx.conf")], stdout=log, stderr=log,
                                      start_new_session=True))
        base = f"http://127.0.0.1:{http_port}"
        _wait_ready(f"{base}/api/personal-data/user", time.monotonic() + 60, procs)
        yield Twin(base, tuple(proc.pid for proc in procs))
    finally:
        # gunicorn: TERM is a graceful stop; nginx: QUIT is (TERM is a fast one)
        if len(procs) > 1:
            _stop(procs[1], signal.SIGQUIT)
        _stop(procs[0], signal.SIGTERM)
        log.close()
