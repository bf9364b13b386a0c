"""The Dockerfile: its install steps work in a clean venv, and what it puts in the image.

``image_venv`` runs the ``build`` stage here (no Docker engine): a venv from
requirements.lock alone, then Tessera installed from a copy of its sources. The tests
use it from a directory outside the checkout, as the image does.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devstack.topology import ROOT, SERVICES, WORKERS
from tests.docker import compose as compose_file
from tests.docker import dockerfile
from tests.docker.conftest import DOCKERFILE

pytestmark = pytest.mark.filterwarnings("error")

#: The test tools that must stay out of the image (requirements-dev.lock has them).
TEST_TOOLS = ("pytest", "playwright")
#: What a new venv brings besides the lock, and Tessera itself.
VENV_EXTRAS = {"pip", "setuptools", "tessera"}


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock(path: Path) -> dict[str, str]:
    pins = (line.split("==") for line in path.read_text().splitlines() if "==" in line and not line.startswith("#"))
    return {_normalize(name): version.strip() for name, version in pins}


def _run(venv: Path, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def _clean_env(tmp: Path, image_python: Path, **extra: str) -> dict[str, str]:
    env = dockerfile.clean_env(tmp, image_python)
    env = {k: v for k, v in env.items() if not k.startswith("TESSERA_")}  # a container has none but its own
    env.update(extra)
    return env


def _site_packages(venv: Path) -> Path:
    found = list(venv.glob("lib/python3.*/site-packages"))
    assert len(found) == 1, found
    return found[0]


def test_app_stage_runs_as_a_user_that_is_not_root() -> None:
    user = dockerfile.stage_user(DOCKERFILE.read_text(), "app")
    assert user is not None, "the app stage has no USER: it would run as root"
    name, _, group = user.partition(":")
    assert name not in ("root", "0") and group not in ("root", "0"), f"USER {user}"


def test_build_context_leaves_out_secrets_and_local_state() -> None:
    patterns = dockerfile.dockerignore_patterns(ROOT)
    for path in (".env", "mongo-keyfile", ".venv/bin/python", ".run/mongo/keyfile", ".git/config",
                 "frontend/node_modules/react/index.js", "frontend/dist/index.html",
                 "services/msg/__pycache__/worker.cpython-311.pyc"):
        assert dockerfile.ignored(path, patterns), f"{path} would be sent to the Docker build"
    for path in ("requirements.lock", "pyproject.toml", "common/app.py", "services/msg/templates/en/base.html",
                 "etcd-seed/common.json", "nginx/tessera.conf", "frontend/package-lock.json", "frontend/src/index.js"):
        assert not dockerfile.ignored(path, patterns), f"{path} is needed by the Docker build"


def test_image_venv_imports_every_service_and_worker(image_venv: Path, image_python: Path, tmp_path: Path) -> None:
    modules = [f"services.{s.name}.app" for s in SERVICES] + list(WORKERS.values())
    modules += ["common.config.seed", "devstack.mongo_access"]  # the one-shot jobs
    script = "import importlib, json, sys; print(json.dumps({m: importlib.import_module(m).__file__ for m in sys.argv[1:]}))"
    result = _run(image_venv, ["-c", script, *modules], cwd=tmp_path, env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stderr
    site = _site_packages(image_venv)
    outside = {m: f for m, f in json.loads(result.stdout).items() if not Path(f).is_relative_to(site)}
    assert not outside, f"imported from outside the venv (not an installed package): {outside}"


def test_image_venv_has_the_package_data(image_venv: Path) -> None:
    # The mail templates are opened next to services/msg/templates.py: pyproject.toml's
    # package-data must put them into the installed package.
    site = _site_packages(image_venv)
    for source in sorted((ROOT / "services" / "msg" / "templates").rglob("*.*")):
        assert (site / source.relative_to(ROOT)).is_file(), f"{source.relative_to(ROOT)} is not installed"


def test_image_venv_passes_pip_check(image_venv: Path, image_python: Path, tmp_path: Path) -> None:
    result = _run(image_venv, ["-m", "pip", "check"], cwd=tmp_path, env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_venv_holds_the_runtime_lock_only(image_venv: Path, image_python: Path, tmp_path: Path) -> None:
    result = _run(image_venv, ["-m", "pip", "list", "--format=json"], cwd=tmp_path,
                  env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stderr
    installed = {_normalize(p["name"]): p["version"] for p in json.loads(result.stdout)}
    tools = [name for name in TEST_TOOLS if name in installed]
    assert not tools, f"test tools in the image: {tools}"
    runtime = _lock(ROOT / "requirements.lock")
    wrong = {name: (installed.get(name), version) for name, version in runtime.items() if installed.get(name) != version}
    assert not wrong, f"installed vs requirements.lock: {wrong}"
    extra = installed.keys() - runtime.keys() - VENV_EXTRAS
    assert not extra, f"not in requirements.lock: {sorted(extra)}"


def test_dev_lock_agrees_with_the_runtime_lock() -> None:
    runtime, dev = _lock(ROOT / "requirements.lock"), _lock(ROOT / "requirements-dev.lock")
    assert not runtime.keys() & dev.keys(), "pin each package in one lock only"
    assert {"pytest", "playwright", "supervisor", "aiosmtpd", "check-jsonschema"} <= dev.keys()


def test_seed_job_fills_etcd_seed_for_the_containers(image_venv: Path, image_python: Path, tmp_path: Path,
                                                     services: dict[str, dict[str, Any]]) -> None:
    # The seed container's environment, with .env.example-like secrets, filling and
    # validating the etcd-seed/ that the Dockerfile copies to where the command looks.
    text = DOCKERFILE.read_text()
    copies = [ins.args.split() for ins in dockerfile.stage(text, "app").instructions if ins.keyword == "COPY"]
    argv = compose_file.command(services["seed"])
    seed_dir = argv[argv.index("--dir") + 1]
    assert ["etcd-seed/", seed_dir.rstrip("/") + "/"] in copies, f"the app stage does not COPY etcd-seed/ to {seed_dir}"
    env = compose_file.environment(compose_file.interpolate(services["seed"], compose_file.example_env()))
    script = ("import json, sys; from pathlib import Path; "
              "from common.config.seed import read_seed, stack_variables, validate_seed; "
              "from devstack.topology import get_stack; "
              "seed = read_seed(Path(sys.argv[1]), stack_variables(get_stack())); validate_seed(seed); "
              "print(json.dumps(seed))")
    result = _run(image_venv, ["-c", script, str(ROOT / "etcd-seed")], cwd=tmp_path,
                  env=_clean_env(tmp_path, image_python, **env))
    assert result.returncode == 0, result.stderr
    seed = json.loads(result.stdout)
    assert seed["common"]["amqp_url"].startswith("amqp://rabbitmq:5672/")  # no credentials in common
    assert seed["personal_data"]["amqp_username"] == "svc_personal_data"
    assert seed["personal_data"]["amqp_password"] == env["AMQP_PASSWORD_PERSONAL_DATA"]
    assert seed["common"]["mongo_uri"].startswith("mongodb://mongo:27017/?replicaSet=tessera&")
    assert seed["common"]["redis_url"] == "redis://redis:6379/0"
    assert seed["common"]["public_url"] == "http://127.0.0.1:8080"
    assert (seed["msg"]["smtp"]["host"], str(seed["msg"]["smtp"]["port"])) == ("mailpit", "1025")
    assert seed["personal_data"]["mongo_password"] == env["MONGO_PASSWORD_PERSONAL_DATA"]
    # the SMS outbox is in the volume that msg mounts
    sms = Path(seed["msg"]["sms"]["file"])
    mounts = [v.partition(":")[2] for v in services["msg"].get("volumes", [])]
    assert any(sms.is_relative_to(m) for m in mounts), f"{sms} is not in a volume of msg ({mounts})"
