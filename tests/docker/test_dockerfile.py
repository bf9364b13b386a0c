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
                          timeout=300)  # a deadline a busy machine cannot miss


def _clean_env(tmp: Path, image_python: Path, **extra: str) -> dict[str, str]:
    env = dockerfile.clean_env(tmp, image_python)
    env = {k: v for k, v in env.items() if not k.startswith("TESSERA_")}  # a container has none but its own
    env.update(extra)
    return env


def _site_packages(venv: Path) -> Path:
    found = list(venv.glob("lib/python3.*/site-packages"))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("target", ["app", "provision"])
def test_python_stages_run_as_a_user_that_is_not_root(target: str) -> None:
    user = dockerfile.stage_user(DOCKERFILE.read_text(), target)
    assert user is not None, f"the {target} stage has no USER: it would run as root"
    name, _, group = user.partition(":")
    assert name not in ("root", "0") and group not in ("root", "0"), f"USER {user}"


def test_build_context_leaves_out_secrets_and_local_state() -> None:
    patterns = dockerfile.dockerignore_patterns(ROOT)
    for path in (".env", "mongo-keyfile", ".venv/bin/python", ".run/mongo/keyfile", ".git/config",
                 "frontend/node_modules/react/index.js", "frontend/dist/index.html",
                 "services/msg/__pycache__/worker.cpython-311.pyc"):
        assert dockerfile.ignored(path, patterns), f"{path} would be sent to the Docker build"
    for path in ("requirements.lock", "pyproject.toml", "common/app.py", "services/msg/templates/en/base.html",
                 "etcd-seed/common.json", "nginx/tessera.conf", "frontend/package-lock.json", "frontend/src/index.tsx",
                 "frontend/tsconfig.json", "frontend/scripts/generate-api-types.mjs", "frontend/src/api/openapi/phones.json"):
        assert not dockerfile.ignored(path, patterns), f"{path} is needed by the Docker build"


def test_image_venv_imports_every_service_and_worker(image_venv: Path, image_python: Path, tmp_path: Path) -> None:
    modules = [f"services.{s.name}.app" for s in SERVICES] + list(WORKERS.values())
    script = "import importlib, json, sys; print(json.dumps({m: importlib.import_module(m).__file__ for m in sys.argv[1:]}))"
    result = _run(image_venv, ["-c", script, *modules], cwd=tmp_path, env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stderr
    site = _site_packages(image_venv)
    outside = {m: f for m, f in json.loads(result.stdout).items() if not Path(f).is_relative_to(site)}
    assert not outside, f"imported from outside the venv (not an installed package): {outside}"


#: what the runtime image may take from the build context, and what it must not
RUNTIME_SOURCES = {"requirements.lock", "pyproject.toml", "common", "services"}
DEV_ONLY = ("devstack", "provision", "tests", "bench", "etcd-seed")


def test_app_stage_copies_only_what_services_and_workers_run() -> None:
    sources = {s.rstrip("/").split("/")[0] for s in dockerfile.local_sources(DOCKERFILE.read_text(), "app")}
    assert sources == RUNTIME_SOURCES, f"the app image takes {sorted(sources)} from the build context"


def test_image_venv_holds_no_dev_tooling_or_provisioning(image_venv: Path, image_python: Path,
                                                        tmp_path: Path) -> None:
    site = _site_packages(image_venv)
    present = [name for name in DEV_ONLY if (site / name).exists()]
    assert not present, f"in the image's site-packages: {present}"
    # Run from outside the checkout, as a container does: not importable at all.
    script = "import importlib.util, json, sys; print(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m)]))"
    packages = ["devstack", "provision", "tests"]
    result = _run(image_venv, ["-c", script, *packages], cwd=tmp_path, env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [], "importable in the runtime image"
    # tessera's own files in the venv: the runtime packages only
    record = next(site.glob("tessera-*.dist-info")) / "RECORD"
    tops = {line.split(",")[0].split("/")[0] for line in record.read_text().splitlines()}
    tops = {top for top in tops if not top.endswith(".dist-info") and top != ".."}
    assert tops <= {"common", "services"}, f"installed by tessera: {sorted(tops)}"


def test_build_context_leaves_out_the_dev_tooling() -> None:
    patterns = dockerfile.dockerignore_patterns(ROOT)
    assert dockerfile.ignored("devstack/manager.py", patterns)
    assert not dockerfile.ignored("provision/seed.py", patterns)  # the provision target needs it


def test_provision_target_runs_the_rabbitmq_users_job(image_venv: Path, image_python: Path, tmp_path: Path,
                                                      services: dict[str, dict[str, Any]]) -> None:
    # The job's command, from the provision target's WORKDIR with what it COPYs, in the
    # job's environment (.env.example-like secrets): the broker's definitions file.
    workdir = dockerfile.copy_files(DOCKERFILE.read_text(), "provision", context=ROOT, root=tmp_path / "root")
    job = services["rabbitmq-users"]
    argv = compose_file.command(job)
    target = tmp_path / "definitions.json"
    env = compose_file.environment(compose_file.interpolate(job, compose_file.example_env()))
    result = _run(image_venv, [*argv[1:-1], str(target)], cwd=workdir,
                  env=_clean_env(tmp_path, image_python, **env))
    assert result.returncode == 0, result.stderr
    document = json.loads(target.read_text())
    assert {u["name"] for u in document["users"]} == {f"svc_{s.name}" for s in SERVICES} | {f"svc_{w}" for w in WORKERS}
    assert {"am.sync", "msg.mail", "msg.sms"} <= {q["name"] for q in document["queues"]}
    assert env["AMQP_PASSWORD_AM"] not in target.read_text()  # hashes only
    # the other job's module is there too, and the runtime library comes from the venv
    script = "import importlib, json, sys; print(json.dumps({m: importlib.import_module(m).__file__ for m in sys.argv[1:]}))"
    modules = [compose_file.command(services[name])[2] for name in ("mongo-users", "seed")] + ["common.catalog"]
    result = _run(image_venv, ["-c", script, *modules], cwd=workdir, env=_clean_env(tmp_path, image_python))
    assert result.returncode == 0, result.stderr
    files = {m: Path(f) for m, f in json.loads(result.stdout).items()}
    assert files["common.catalog"].is_relative_to(_site_packages(image_venv))
    assert all(files[m].is_relative_to(workdir / "provision") for m in modules[:2]), files


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
    # validating the etcd-seed/ that the provision target copies to where the command looks.
    text = DOCKERFILE.read_text()
    root = tmp_path / "root"
    workdir = dockerfile.copy_files(text, "provision", context=ROOT, root=root)
    argv = compose_file.command(services["seed"])
    seed_dir = root / argv[argv.index("--dir") + 1].lstrip("/")
    assert (seed_dir / "common.json").is_file(), f"the provision target does not COPY etcd-seed/ to {seed_dir}"
    env = compose_file.environment(compose_file.interpolate(services["seed"], compose_file.example_env()))
    script = ("import json, sys; from pathlib import Path; "
              "from provision.seed import read_seed, validate_seed; "
              "seed = read_seed(Path(sys.argv[1]), {}); validate_seed(seed); "
              "print(json.dumps(seed))")
    result = _run(image_venv, ["-c", script, str(seed_dir)], cwd=workdir,
                  env=_clean_env(tmp_path, image_python, **env))
    assert result.returncode == 0, result.stderr
    seed = json.loads(result.stdout)
    assert seed["common"]["amqp_url"].startswith("amqp://rabbitmq:5672/")  # no credentials in common
    assert seed["personal_data"]["amqp_username"] == "svc_personal_data"
    assert seed["personal_data"]["amqp_password"] == env["AMQP_PASSWORD_PERSONAL_DATA"]
    assert seed["common"]["mongo_uri"].startswith("mongodb://mongo:27017/?replicaSet=tessera&")
    assert seed["common"]["redis_url"] == "redis://redis:6379/0"
    # localhost, not 127.0.0.1: browsers refuse an IP address as a WebAuthn RP id
    assert seed["common"]["public_url"] == "http://localhost:8080"
    assert (seed["msg"]["smtp"]["host"], str(seed["msg"]["smtp"]["port"])) == ("mailpit", "1025")
    assert seed["personal_data"]["mongo_password"] == env["MONGO_PASSWORD_PERSONAL_DATA"]
    # the SMS outbox is in the volume that msg mounts
    sms = Path(seed["msg"]["sms"]["file"])
    mounts = [v.partition(":")[2] for v in services["msg"].get("volumes", [])]
    assert any(sms.is_relative_to(m) for m in mounts), f"{sms} is not in a volume of msg ({mounts})"
