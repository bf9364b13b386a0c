"""The OpenAPI documents committed for the SPA (``frontend/src/api/openapi/``) are the ones
the running services build now: a contract change that is not dumped again fails here
(``python -m devstack.openapi_dump frontend/src/api/openapi`` dumps them; the command itself
is tested in tests/unit/frontend), and once dumped, the SPA's generated types change and
``tsc`` checks every use of them."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from flask import Flask

from devstack import openapi_dump

DUMPS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "api" / "openapi"


@pytest.mark.parametrize("service", openapi_dump.service_names())
def test_the_dump_is_what_the_running_service_builds(service: str, make_app: Callable[..., Flask]) -> None:
    served: dict[str, Any] = copy.deepcopy(make_app(service).extensions["tessera"].openapi)
    served["info"]["version"] = openapi_dump.DUMP_VERSION
    committed = json.loads((DUMPS / f"{service}.json").read_text(encoding="utf-8"))
    # Compared as JSON, as the SPA's generator reads them (tuples become lists).
    assert json.loads(openapi_dump.render(served)) == committed

