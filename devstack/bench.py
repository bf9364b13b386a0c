"""``make bench``'s runner (issue 15): run every ``bench/*.py``, gather the ``RESULT``
lines they print and end with one summary table of the figures, their ceilings, ratios
and targets, and the commands that produced them.

The protocol (``bench/lib/results.py`` writes it): a script prints human-readable lines
and one ``RESULT {json}`` line per figure — keys ``figure``, ``value``, ``unit`` and,
optionally, ``ceiling``, ``ceiling_value``, ``ratio``, ``target`` (``">= 0.6"``,
``"<= 1024"``: on the ratio when there is one, else on the value) and ``command``. A
script exits non-zero only when something failed; the suite does the same: a figure
that misses its target is reported, never a failure (these machines are noisy).
"""
from __future__ import annotations

import json
import operator
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

PREFIX = "RESULT "
_TARGET = re.compile(r"^\s*(>=|<=|>|<)\s*([0-9.]+)\s*$")
_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}


@dataclass
class ScriptRun:
    """What one script left: its name, exit status, seconds taken, figures and the
    RESULT lines that were not valid JSON objects with a figure and a value."""

    name: str
    returncode: int = 0
    seconds: float = 0.0
    results: list[dict[str, Any]] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Whether the script failed: a non-zero exit or a malformed RESULT line."""
        return self.returncode != 0 or bool(self.malformed)


def parse_result(line: str) -> dict[str, Any] | None:
    """The figure of a ``RESULT {json}`` line; None for any other line. Raises
    ValueError for a RESULT line whose JSON is not an object with ``figure`` (a string)
    and ``value`` (a number)."""
    if not line.startswith(PREFIX):
        return None
    entry = json.loads(line[len(PREFIX):])
    if (not isinstance(entry, dict) or not isinstance(entry.get("figure"), str)
            or not isinstance(entry.get("value"), (int, float)) or isinstance(entry.get("value"), bool)):
        raise ValueError(f"not a figure: {line.strip()}")
    return entry


def target_met(entry: dict[str, Any]) -> bool | None:
    """Whether ``entry`` meets its ``target`` (on ``ratio`` if it has one, else on
    ``value``); None when it has no target or the target cannot be read."""
    match = _TARGET.match(str(entry.get("target") or ""))
    if not match:
        return None
    measured = entry.get("ratio", entry.get("value"))
    if not isinstance(measured, (int, float)):
        return None
    return _COMPARE[match.group(1)](measured, float(match.group(2)))


def _number(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def summary(runs: Sequence[ScriptRun]) -> str:
    """The summary table: one row per figure (script, figure, value and unit, ceiling,
    ratio, target, met), then each figure's command, then the failed scripts."""
    rows = [("script", "figure", "value", "ceiling", "ratio", "target", "met")]
    commands = []
    for run in runs:
        for entry in run.results:
            met = target_met(entry)
            ceiling = ""
            if "ceiling" in entry or "ceiling_value" in entry:
                ceiling = f"{_number(entry.get('ceiling_value'))} {entry.get('ceiling', '')}".strip()
            rows.append((run.name, entry["figure"], f"{_number(entry['value'])} {entry.get('unit', '')}".strip(),
                         ceiling, _number(entry.get("ratio")), str(entry.get("target") or ""),
                         {True: "yes", False: "NO", None: ""}[met]))
            if entry.get("command"):
                commands.append(f"  [{len(rows) - 1}] {entry['command']}")
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    text = [(("#" if n == 0 else str(n)).rjust(2) + "  " + "  ".join(
        cell.ljust(width) for cell, width in zip(row, widths))).rstrip() for n, row in enumerate(rows)]
    if commands:
        text += ["", "commands:"] + commands
    failed = [run for run in runs if run.failed]
    for run in failed:
        why = f"exit {run.returncode}" if run.returncode else "malformed RESULT lines"
        text.append(f"FAILED {run.name}: {why}" + "".join(f"\n  {line}" for line in run.malformed))
    return "\n".join(text)


def run_script(script: Path, args: Iterable[str], env: dict[str, str], cwd: Path) -> ScriptRun:
    """Run ``script`` with this python and ``args``, echoing its output as it comes and
    collecting its RESULT lines."""
    run = ScriptRun(name=script.stem)
    started = time.monotonic()
    with subprocess.Popen([sys.executable, str(script), *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          text=True, bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(line, end="", flush=True)
            try:
                entry = parse_result(line)
            except ValueError:
                run.malformed.append(line.strip())
                continue
            if entry is not None:
                run.results.append(entry)
    run.returncode = proc.returncode
    run.seconds = time.monotonic() - started
    return run


def select(scripts: Sequence[Path], only: Sequence[str]) -> list[Path]:
    """``scripts`` whose stem (``login``) or file name (``login.py``) is in ``only``
    (all when ``only`` is empty). Raises ValueError naming what matches nothing."""
    if not only:
        return list(scripts)
    unknown = [name for name in only if not any(name in (s.stem, s.name) for s in scripts)]
    if unknown:
        raise ValueError(f"no bench script {', '.join(unknown)}; there are {', '.join(s.stem for s in scripts)}")
    return [s for s in scripts if s.stem in only or s.name in only]
