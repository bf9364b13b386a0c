"""docker-compose.yml: valid Compose, and right in the ways the schema cannot tell."""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devstack import docker_env
from tests.docker import compose as compose_file
from tests.docker import dockerfile
from tests.docker.conftest import DOCKERFILE

pytestmark = pytest.mark.filterwarnings("error")

#: Compose's own rules for which services a condition may point at.
ONE_SHOT = "service_completed_successfully"
HEALTHY = "service_healthy"


def _check_compose_schema(path: Path) -> None:
    """check-jsonschema with its vendored Compose specification schema; on failure the
    message names each offending path (``$.services.web.ports[0]: …``)."""
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, f"{path} is not valid Compose:\n{result.stdout}{result.stderr}"


def test_compose_file_matches_the_compose_specification() -> None:
    # The raw file: every ${…} sits in a string, which the schema accepts anyway.
    _check_compose_schema(compose_file.COMPOSE_FILE)


def test_interpolated_compose_file_matches_the_compose_specification(tmp_path: Path) -> None:
    # What Compose validates after reading a .env like .env.example's.
    doc = compose_file.interpolate(compose_file.load(), compose_file.example_env())
    path = tmp_path / "compose.json"
    path.write_text(json.dumps(doc))
    _check_compose_schema(path)


def test_a_missing_secret_stops_compose() -> None:
    env = compose_file.example_env()
    del env["MONGO_ADMIN_PASSWORD"]
    with pytest.raises(KeyError, match="MONGO_ADMIN_PASSWORD"):
        compose_file.interpolate(compose_file.load(), env)


def test_depends_on_targets_exist(services: dict[str, dict[str, Any]]) -> None:
    missing = {(name, target) for name, spec in services.items()
               for target in compose_file.depends_on(spec) if target not in services}
    assert not missing, f"depends_on names services that do not exist: {sorted(missing)}"


def test_service_healthy_points_at_a_health_check(services: dict[str, dict[str, Any]]) -> None:
    wrong = []
    for name, spec in services.items():
        for target, condition in compose_file.depends_on(spec).items():
            check = services[target].get("healthcheck") or {}
            if condition == HEALTHY and (not check.get("test") or check.get("disable")):
                wrong.append(f"{name} waits for {target} to be healthy, which has no health check")
    assert not wrong, "\n".join(wrong)


def test_completed_successfully_points_at_a_one_shot_job(services: dict[str, dict[str, Any]]) -> None:
    wrong = []
    for name, spec in services.items():
        for target, condition in compose_file.depends_on(spec).items():
            if condition == ONE_SHOT and services[target].get("restart") != "no":
                # any other policy restarts the job when it exits: it never "completes"
                wrong.append(f"{name} waits for {target} to complete, whose restart is "
                             f"{services[target].get('restart')!r}, not \"no\"")
    assert not wrong, "\n".join(wrong)


def test_one_shot_jobs_do_not_wait_for_themselves(services: dict[str, dict[str, Any]]) -> None:
    # A job built on the x-app anchor must replace its `depends_on: seed`.
    for name, spec in services.items():
        assert name not in compose_file.depends_on(spec), f"{name} depends on itself"


def _runs_python(spec: dict[str, Any]) -> bool:
    argv = compose_file.command(spec)
    return bool(argv) and argv[0] in ("python", "python3", "gunicorn")


def test_the_start_order_has_no_cycle(services: dict[str, dict[str, Any]]) -> None:
    # Compose refuses a cycle of depends_on, e.g. a one-shot job of the shared x-app
    # anchor that inherits "after seed" while seed waits for it.
    graph = {name: set(compose_file.depends_on(spec)) for name, spec in services.items()}
    ordered: list[str] = []
    while graph:
        ready = sorted(name for name, needs in graph.items() if not needs - set(ordered))
        assert ready, f"depends_on cycle among {sorted(graph)}"
        ordered += ready
        for name in ready:
            del graph[name]
    assert ordered.index("rabbitmq-users") < ordered.index("rabbitmq") < ordered.index("seed")


#: the one-shot jobs, which run the provision package from the Dockerfile's provision target
JOBS = {"rabbitmq-users", "mongo-users", "seed"}


def test_app_containers_use_the_image_of_the_app_target(services: dict[str, dict[str, Any]]) -> None:
    app = {name: spec for name, spec in services.items() if _runs_python(spec) and name not in JOBS}
    assert {"am", "msg", "jsconfig"} <= set(app)
    targets = {name: (spec.get("build") or {}).get("target") for name, spec in app.items()}
    assert set(targets.values()) == {"app"}, f"not built from the Dockerfile's app target: {targets}"
    images = {spec.get("image") for spec in app.values()}
    assert len(images) == 1 and None not in images, f"one image for every app container, not {images}"
    dockerfile.stage(DOCKERFILE.read_text(), "app")  # the target exists


def test_one_shot_jobs_run_provision_from_the_provision_target(services: dict[str, dict[str, Any]]) -> None:
    # The runtime image holds no provisioning code, so the jobs must not run from it.
    jobs = {name: services[name] for name in JOBS}
    targets = {name: (spec.get("build") or {}).get("target") for name, spec in jobs.items()}
    assert set(targets.values()) == {"provision"}, f"not built from the Dockerfile's provision target: {targets}"
    images = {spec.get("image") for spec in jobs.values()}
    app_images = {spec.get("image") for name, spec in services.items() if _runs_python(spec) and name not in JOBS}
    assert len(images) == 1 and None not in images and not images & app_images, images
    modules = {name: compose_file.command(spec)[2] for name, spec in jobs.items()}
    assert all(m.startswith("provision.") for m in modules.values()), modules
    assert all(spec.get("restart") == "no" for spec in jobs.values())
    assert dockerfile.stage(DOCKERFILE.read_text(), "provision").base == "app"


def test_every_required_variable_is_documented_in_env_example() -> None:
    wanted = compose_file.variables(compose_file.COMPOSE_FILE.read_text())
    documented = compose_file.example_env()
    optional = {name for name, required in wanted.items() if not required}
    missing = {name for name, required in wanted.items() if required} - documented.keys()
    assert not missing, f".env.example does not name {sorted(missing)}"
    # The optional ones have a default in docker-compose.yml and are mentioned (commented).
    text = compose_file.ENV_EXAMPLE.read_text()
    assert all(name in text for name in optional), f".env.example does not mention {sorted(optional)}"


def test_docker_env_writes_every_secret_privately(tmp_path: Path) -> None:
    assert docker_env.main(["--dir", str(tmp_path)]) == 0
    env_file, keyfile = tmp_path / ".env", tmp_path / "mongo-keyfile"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert keyfile.stat().st_mode & 0o777 == 0o600
    values = dict(line.split("=", 1) for line in env_file.read_text().splitlines()
                  if line and not line.startswith("#"))
    required = {name for name, req in compose_file.variables(compose_file.COMPOSE_FILE.read_text()).items() if req}
    assert required <= values.keys()
    assert all(values[name] for name in required)
    assert len(values["TESSERA_SECRET_SECRET_KEY"]) >= 32  # CommonConfigSchema's minimum
    assert len({values[name] for name in required}) == len(required)  # every secret its own
    key = keyfile.read_text().strip()
    assert 6 <= len(key) <= 1024 and base64.b64decode(key, validate=True)  # mongod's keyfile rules
    # A second run keeps both: new passwords would lock the services out of old volumes.
    before = env_file.read_text()
    assert docker_env.main(["--dir", str(tmp_path)]) == 0
    assert env_file.read_text() == before
