"""The runtime library and the services do not depend on the dev tooling, the
provisioning jobs or the tests (issue 11, item 1): what a service or worker loads is
what the runtime image holds (Dockerfile target ``app``; tests/docker checks the image)."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from common import catalog

ROOT = Path(__file__).resolve().parents[2]
#: packages that only the checkout (devstack, tests, bench) or the provision target has
NOT_IN_THE_RUNTIME = ("devstack", "provision", "tests", "bench")


@pytest.fixture(scope="module")
def runtime_modules() -> dict[str, str | None]:
    """Module name → file of everything a fresh interpreter loads to import every
    service's app module and every worker, as gunicorn and ``python -m`` start them."""
    modules = [f"services.{name}.app" for name in catalog.SERVICES] + list(catalog.WORKERS.values())
    script = ("import importlib, json, sys\n"
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module(name)\n"
              "print(json.dumps({n: getattr(m, '__file__', None) for n, m in list(sys.modules.items())}))\n")
    result = subprocess.run([sys.executable, "-c", script, *modules], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert set(modules) <= loaded.keys()
    return loaded


def test_importing_every_service_and_worker_loads_no_dev_tooling(runtime_modules: dict[str, str | None]) -> None:
    dev = sorted(m for m in runtime_modules if m.split(".")[0] in NOT_IN_THE_RUNTIME)
    assert not dev, f"importing the services and workers loaded {dev}"


def _imported_names(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function (absolute names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_runtime_module_imports_the_dev_tooling_later(runtime_modules: dict[str, str | None]) -> None:
    # An import inside a function runs only when it is called: read the source of every
    # module of common/ and services/ that the services load, and of every file under
    # services/.
    files = {Path(f) for m, f in runtime_modules.items() if f and m.split(".")[0] in ("common", "services")}
    files |= set(ROOT.joinpath("services").rglob("*.py"))
    wrong = {}
    for path in sorted(files):
        bad = sorted(n for n in _imported_names(path) if n.split(".")[0] in NOT_IN_THE_RUNTIME)
        if bad:
            wrong[str(path.relative_to(ROOT))] = bad
    assert not wrong, f"runtime modules that import what the runtime image lacks: {wrong}"


def test_the_catalog_is_a_leaf() -> None:
    # common.catalog is read by common.db, common.amqp, provision and devstack alike:
    # it imports nothing but the standard library, so none of them pulls in another.
    imported = _imported_names(ROOT / "common" / "catalog.py") - {"__future__"}
    assert all(name.split(".")[0] in sys.stdlib_module_names for name in imported), imported


@pytest.mark.parametrize("worker", sorted(catalog.WORKERS))
def test_queue_workers_run_without_flask(worker: str) -> None:
    # The workers share common/ with the services but serve no HTTP: Flask, Werkzeug and
    # Jinja2's templates for Flask held ~6 MiB of each worker process (issue 15, memory).
    # common/ imports Flask where a request is handled, not at module level.
    script = f"import sys, {catalog.WORKERS[worker]}; print('flask' in sys.modules, 'werkzeug' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"], f"{worker} imports Flask"
