"""Fixtures of the container checks. None of them needs the test stack."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from devstack.topology import ROOT
from tests.docker import compose as compose_file
from tests.docker import dockerfile

DOCKERFILE = ROOT / "Dockerfile"


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    """docker-compose.yml as Compose reads it, before interpolation."""
    return compose_file.load()


@pytest.fixture(scope="session")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``services`` of docker-compose.yml."""
    return compose["services"]


@pytest.fixture(scope="session")
def image_python() -> Path:
    """This machine's Python, checked to be the image's (``PYTHON_IMAGE`` in the Dockerfile)."""
    head, _ = dockerfile.stages(DOCKERFILE.read_text())
    image = next(ins.args.partition("=")[2] for ins in head if ins.args.startswith("PYTHON_IMAGE="))
    version = "%d.%d" % sys.version_info[:2]
    assert image.startswith(f"python:{version}-"), f"the image runs {image}, these tests run Python {version}"
    python = Path(sys.base_prefix) / "bin" / f"python{version}"
    assert python.exists(), f"no base interpreter at {python}"
    return python


@pytest.fixture(scope="session")
def image_venv(tmp_path_factory: pytest.TempPathFactory, image_python: Path) -> Path:
    """The venv of the image's ``build`` stage, made here by running that stage's
    instructions (``--build-arg VENV=<tmp>/venv``) in a clean environment: once per
    session, as pip takes a while."""
    tmp = tmp_path_factory.mktemp("image")
    venv = tmp / "venv"
    dockerfile.run_stage(
        DOCKERFILE.read_text(), "build", context=ROOT, root=tmp / "root",
        build_args={"VENV": str(venv)}, env=dockerfile.clean_env(tmp, image_python), log=tmp / "build.log",
    )
    return venv
