"""The SPA's OpenAPI dumps (``frontend/src/api/openapi/``) are built from the routes and the
seeded configuration alone: no stack, and nothing left to write."""
from __future__ import annotations

import json
from pathlib import Path

from devstack import openapi_dump

DUMPS = Path(__file__).resolve().parents[3] / "frontend" / "src" / "api" / "openapi"


def test_every_service_has_a_dump_and_no_other_is_left() -> None:
    assert sorted(p.stem for p in DUMPS.glob("*.json")) == openapi_dump.service_names()


def test_the_dump_command_finds_nothing_to_change() -> None:
    assert openapi_dump.dump(DUMPS, check=True) == []


def test_a_stale_dump_is_found_and_written_again(tmp_path: Path) -> None:
    assert sorted(openapi_dump.dump(tmp_path)) == [f"{name}.json" for name in openapi_dump.service_names()]
    stale = tmp_path / "jsconfig.json"
    document = json.loads(stale.read_text(encoding="utf-8"))
    document["paths"].pop("/api/jsconfig/config")
    stale.write_text(openapi_dump.render(document), encoding="utf-8")
    (tmp_path / "gone.json").write_text("{}\n", encoding="utf-8")

    assert openapi_dump.dump(tmp_path, check=True) == ["gone.json", "jsconfig.json"]
    assert openapi_dump.main(["--check", str(tmp_path)]) == 1
    assert openapi_dump.dump(tmp_path) == ["gone.json", "jsconfig.json"]
    assert openapi_dump.dump(tmp_path, check=True) == []


def test_the_language_enum_comes_from_the_seeded_configuration() -> None:
    document = openapi_dump.build_document("signup")
    language = document["components"]["schemas"]["RegisterRequest"]["properties"]["language"]
    assert set(language["enum"]) >= {"en", "sv"}
    assert document["info"]["version"] == openapi_dump.DUMP_VERSION
