"""Dump every service's OpenAPI document without a running stack.

``python -m devstack.openapi_dump <dir>`` writes ``<dir>/<service>.json`` for every HTTP
service (a package under ``services/`` with a ``views.py`` holding its blueprint ``bp``);
``--check`` compares instead of writing and exits 1 naming the documents that differ.
The SPA generates its request and payload types from these files (``frontend/``), so a
contract change shows up as a diff here and as a type error there.

A service builds its document in ``common.app.create_app`` from its whole URL map and its
configuration, which need etcd, Redis and the rest. The document depends only on the
routes, their marshmallow schemas and a few configured values (e.g. the ``language``
enum), so this module mounts the same two blueprints the factory mounts (the service's
own and the shared status routes) on a bare Flask app, gives it the configuration that
``etcd-seed/`` seeds (validated by the service's ``ConfigSchema``, as at a start; the
connection strings' placeholders get dummy values, they do not reach the document) and
calls the same ``common.openapi.build_spec``. ``info.version`` is set to ``DUMP_VERSION``;
``tests/frontend/test_openapi_dump.py`` proves that the dumps equal what each service
builds on the real stack, apart from that one field.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from flask import Flask

from common import catalog, health
from common.config import validate
from common.openapi import build_spec
from provision.seed import SEED_DIR, config_schema, read_seed

ROOT = Path(__file__).resolve().parents[1]
#: ``info.version`` of a dumped document (the services take theirs from etcd).
DUMP_VERSION = "dump"


def service_names() -> list[str]:
    """The HTTP services (``common.catalog.SERVICES``), sorted."""
    return sorted(catalog.SERVICES)


class _AnyPlaceholder(dict[str, str]):
    """Seed variables: every placeholder without a default gets a dummy value that passes
    validation — a port number for ``*_PORT``, else a string as long as a secret must be."""

    def get(self, key: str, default: str | None = None) -> str:  # type: ignore[override]
        if default is not None:
            return default
        return "1" if key.endswith("_PORT") else "dump-placeholder-" + "0" * 32


def seeded_config(name: str) -> dict[str, Any]:
    """Service ``name``'s configuration as ``etcd-seed/`` seeds it, validated by its
    ``ConfigSchema``. Raises ``common.config.ConfigError`` when the seed is invalid."""
    namespaces = read_seed(SEED_DIR, _AnyPlaceholder())
    raw = {**namespaces.get("common", {}), **namespaces.get(name, {})}
    return validate(name, config_schema(name), raw)


def build_document(name: str) -> dict[str, Any]:
    """The OpenAPI 3 document of service ``name`` (``"personal_data"``), as the service
    builds it but with ``info.version`` = ``DUMP_VERSION``. Raises ImportError for a name
    that is not a service package."""
    views = importlib.import_module(f"services.{name}.views")
    url_name = name.replace("_", "-")
    app = Flask(name, static_folder=None)
    app.config["TESSERA"] = seeded_config(name)
    # Mounted as common.app.create_app mounts them; only the URL map matters here.
    health.init_app(app, url_name)
    app.register_blueprint(views.bp, url_prefix=f"/api/{url_name}")
    return build_spec(app, f"Tessera {name}", DUMP_VERSION)


def render(document: dict[str, Any]) -> str:
    """The committed form of a document: sorted keys, two-space indent, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def dump(directory: Path, *, check: bool = False) -> list[str]:
    """Write (or with ``check`` compare) ``<directory>/<service>.json`` for every service.

    Returns the file names that were written or differ; stale files of services that no
    longer exist count as differing (and are removed when writing)."""
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    wanted = {f"{name}.json": render(build_document(name)) for name in service_names()}
    for stale in sorted(p for p in directory.glob("*.json") if p.name not in wanted):
        changed.append(stale.name)
        if not check:
            stale.unlink()
    for file_name, text in wanted.items():
        path = directory / file_name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        changed.append(file_name)
        if not check:
            path.write_text(text, encoding="utf-8")
    return changed


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m devstack.openapi_dump [--check] <dir>``."""
    parser = argparse.ArgumentParser(prog="python -m devstack.openapi_dump", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--check", action="store_true", help="compare, do not write; exit 1 when any differs")
    args = parser.parse_args(argv)
    changed = dump(args.directory, check=args.check)
    for name in changed:
        print(("differs: " if args.check else "wrote: ") + name)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
