"""``make bench --quick`` on the running test stack: every script runs to the end, the
suite exits 0, and the summary has each figure of issue 15 with a positive value and,
where it is measured against a ceiling, a positive ratio. (The numbers themselves are
never judged here: a loaded machine is no place for timing assertions.)"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devstack import bench
from devstack.topology import ROOT, Stack

#: figure → whether it has a ceiling (and so a ratio)
FIGURES = {
    "authenticated read GET /api/personal-data/user": True,
    "session read GET /api/authn/session": True,
    "login/s": True,
    "login/s, known browser": True,
    "TOTP login (password + code), one at a time": True,
    "OIDC code exchanges, one at a time": True,
    "OIDC refreshes (rotating), one at a time": True,
    "OIDC code exchanges, 4 clients": True,
    "OIDC refreshes (rotating), 4 clients": True,
    "stack memory at rest (PSS)": False,
    "stack memory at rest, dev topology (PSS)": False,
    "stack memory under load (PSS, peak)": False,
}
MINE = ["request_path", "login", "login_mfa", "oidc_token", "memory"]


@pytest.mark.timeout(900)
def test_the_quick_suite_runs_every_script_and_summarises_every_figure(stack: Stack) -> None:
    env = dict(os.environ, TESSERA_STACK=stack.name)
    proc = subprocess.run([sys.executable, "-m", "devstack", "bench", "--quick", *MINE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=880)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    results = {}
    for line in proc.stdout.splitlines():
        entry = bench.parse_result(line)
        if entry is not None:
            results[entry["figure"]] = entry
    assert set(FIGURES) <= set(results), proc.stdout[-3000:]
    for figure, has_ceiling in FIGURES.items():
        entry = results[figure]
        assert entry["value"] > 0, entry
        assert entry["command"], entry
        if has_ceiling:
            assert entry["ceiling_value"] > 0 and entry["ratio"] > 0, entry
    summary = proc.stdout[proc.stdout.index("== summary"):]
    for figure in FIGURES:
        assert figure in summary
    assert "FAILED" not in summary
