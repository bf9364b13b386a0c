"""``make bench --quick am_sync mail`` on the running test stack: both worker figures of
issue 15 (AM sync latency, the msg worker's mails/s) come out positive with their
commands, and the msg worker is back afterwards. The numbers are never judged: a loaded
machine is no place for timing assertions."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devstack import bench, manager
from devstack.topology import ROOT, Stack

FIGURES = ("AM sync: write → visible centrally, p99", "msg worker: mails/s into the SMTP sink")


@pytest.mark.timeout(600)
def test_the_workers_bench_scripts_run_and_report(stack: Stack) -> None:
    env = dict(os.environ, TESSERA_STACK=stack.name)
    proc = subprocess.run([sys.executable, "-m", "devstack", "bench", "--quick", "am_sync", "mail"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=580)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = {entry["figure"]: entry for entry in map(bench.parse_result, proc.stdout.splitlines()) if entry}
    for figure in FIGURES:
        assert results[figure]["value"] > 0 and results[figure]["command"], results.get(figure)
    assert results[FIGURES[1]]["worker_cpu_ms_per_mail"] > 0
    # the worker's ceiling, measured in the same run: the sink alone, and a bare aiosmtpd beside it
    ceiling = results["SMTP sink alone: mails/s from one pipelining client (the worker's ceiling)"]
    assert ceiling["value"] > 0 and ceiling["ceiling_value"] > 0 and ceiling["sink_cpu_ms_per_mail"] > 0
    assert manager.is_program_healthy(stack, "workers:msg")
