"""wrk (Debian's ``wrk``, a compiled HTTP load generator with LuaJIT scripting) run and
read: requests/s, latency percentiles, errors, and the CPU wrk itself used."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: appended to every script: wrk's ``done`` hook prints the figures as one JSON line
REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""
MARKER = "WRK_JSON "


class WrkFailed(RuntimeError):
    """wrk did not run, or printed no figures."""


@dataclass(frozen=True)
class WrkRun:
    """One wrk run: ``requests`` answered in ``seconds``; latencies in ms; ``errors``
    counts socket errors and time-outs, ``bad_status`` answers with status ≥ 400;
    ``cpu_seconds`` is wrk's own user+system CPU time."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    bad_status: int
    cpu_seconds: float
    command: str

    @property
    def rps(self) -> float:
        """Answers per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        """Requests that did not get a good answer (socket errors, time-outs, status ≥ 400)."""
        return self.errors + self.bad_status


def parse(output: str, cpu_seconds: float, command: str) -> WrkRun:
    """The ``WrkRun`` of wrk's ``output`` (which holds the ``WRK_JSON`` line of
    ``REPORT_LUA``); raises WrkFailed when it has none."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER):])
            return WrkRun(
                requests=data["requests"], seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000, p90_ms=data["p90_us"] / 1000, p99_ms=data["p99_us"] / 1000,
                max_ms=data["max_us"] / 1000,
                errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
                bad_status=data["status"], cpu_seconds=cpu_seconds, command=command)
    raise WrkFailed(f"wrk printed no figures: {output[-2000:]}")


def run(url: str, *, seconds: float, connections: int = 8, threads: int = 2,
        headers: dict[str, str] | None = None, lua: str = "", timeout_s: float = 10) -> WrkRun:
    """Run ``wrk -t<threads> -c<connections> -d<seconds>s`` against ``url`` with
    ``headers`` and the Lua script ``lua`` (its ``request``/``init``/``setup`` hooks;
    the report hook is added). Raises WrkFailed when wrk fails."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="tessera-bench-", delete=False) as script:
        script.write(lua + "\n" + REPORT_LUA)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", f"{timeout_s:g}s"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd += ["-s", script.name, url]
    # the command as a reader would type it, without the session's secrets
    shown = " ".join(shlex.quote(part) if not part.lower().startswith(("cookie:", "x-csrf-token:"))
                     else shlex.quote(part.split(":")[0] + ": …") for part in cmd)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    except FileNotFoundError as exc:
        raise WrkFailed("wrk is not installed (make install adds the Debian package)") from exc
    finally:
        Path(script.name).unlink(missing_ok=True)
    if proc.returncode != 0:
        raise WrkFailed(f"wrk exited {proc.returncode}: {output[-2000:]}")
    return parse(output, usage.ru_utime + usage.ru_stime, shown)
