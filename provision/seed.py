"""Write ``etcd-seed/`` into etcd, idempotently, after validating it.

``etcd-seed/common.json`` holds ``/tessera/common/*``; ``etcd-seed/<service>.json`` holds
``/tessera/<service>/*``. String values may contain ``${NAME}`` or ``${NAME:-default}``
placeholders, expanded from the environment first and then from the ``variables`` the
caller gives: the local stack gives its own (``devstack.manager.seed_variables``:
``RUN_DIR``, ``MONGO_PORT``, ``REDIS_PORT``, ``AMQP_PORT``, ``SMTP_PORT``, ``HTTP_PORT``…,
the run dir's MongoDB and RabbitMQ passwords), containers give everything in the
environment (docker-compose.yml's ``seed`` job). So one seed serves the dev stack, the
test stacks and containers.

Every service's merged configuration is validated with its ``ConfigSchema`` before
anything is written; keys that are already right are left alone and keys that the seed
no longer has are deleted.

``python -m provision.seed [--dir DIR] [--check]``: ``--check`` validates without
writing; exit status 1 with the offending key on error. etcd is ``$TESSERA_ETCD``.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Mapping

import etcd

from common import catalog
from common.config import PREFIX, ConfigError, etcd_client, read_namespace, validate
from common.config.schema import PER_SERVICE_KEYS, CommonConfigSchema

#: ``etcd-seed/`` beside this package: the checkout's, or the one the Dockerfile's
#: ``provision`` target copies next to it
SEED_DIR = Path(__file__).resolve().parents[1] / "etcd-seed"
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")


def expand(value: Any, variables: Mapping[str, str]) -> Any:
    """Expand placeholders in every string inside ``value`` (environment wins).

    Raises ConfigError for a placeholder with neither a value nor a default.
    """
    if isinstance(value, str):
        def substitute(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            found = os.environ.get(name, variables.get(name, default))
            if found is None:
                raise ConfigError(f"seed placeholder ${{{name}}} has no value")
            return found
        return _PLACEHOLDER.sub(substitute, value)
    if isinstance(value, list):
        return [expand(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: expand(v, variables) for k, v in value.items()}
    return value


def read_seed(seed_dir: Path, variables: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """``{namespace: {key: value}}`` from every ``*.json`` in ``seed_dir``.

    Raises ConfigError for a file that is not a JSON object.
    """
    namespaces: dict[str, dict[str, Any]] = {}
    for path in sorted(seed_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError as exc:
            raise ConfigError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a JSON object of key → value")
        namespaces[path.stem] = expand(data, variables)
    return namespaces


def config_schema(namespace: str):
    """The ``ConfigSchema`` of ``services.<namespace>``, or None when it has none yet."""
    module_name = f"services.{namespace}.schemas"
    if importlib.util.find_spec(f"services.{namespace}") is None:
        return None
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), "ConfigSchema", None)


def validate_seed(namespaces: dict[str, dict[str, Any]]) -> None:
    """Validate each known service's merged configuration. Raises ConfigError."""
    common = namespaces.get("common", {})
    validate("common", CommonConfigSchema, common, partial=PER_SERVICE_KEYS)
    names = set(catalog.principals())
    for namespace in namespaces:
        if namespace != "common" and namespace not in names:
            raise ConfigError(f"etcd-seed/{namespace}.json: no service or worker is called {namespace!r}")
    for name in sorted(names):
        schema_cls = config_schema(name)
        if schema_cls is not None:
            validate(name, schema_cls, {**common, **namespaces.get(name, {})})


def write_seed(client: etcd.Client, namespaces: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Make etcd hold exactly ``namespaces``; return counts of written/deleted/unchanged keys."""
    counts = {"written": 0, "deleted": 0, "unchanged": 0}
    for namespace, wanted in namespaces.items():
        current = read_namespace(client, namespace)
        for key, value in wanted.items():
            if key in current and current[key] == value:
                counts["unchanged"] += 1
                continue
            client.write(f"{PREFIX}/{namespace}/{key}", json.dumps(value, sort_keys=True))
            counts["written"] += 1
        for key in current.keys() - wanted.keys():
            client.delete(f"{PREFIX}/{namespace}/{key}")
            counts["deleted"] += 1
    return counts


def seed(client: etcd.Client, seed_dir: Path = SEED_DIR,
         variables: Mapping[str, str] | None = None) -> dict[str, int]:
    """Validate ``seed_dir`` with its placeholders filled from the environment and then
    ``variables``, and write it to etcd; return the counts of ``write_seed``.
    Raises ConfigError (nothing written) for a seed that does not validate."""
    namespaces = read_seed(seed_dir, variables or {})
    validate_seed(namespaces)
    return write_seed(client, namespaces)


def main(argv: list[str] | None = None) -> int:
    """``python -m provision.seed [--dir DIR] [--check]``; the placeholders come from the
    environment alone (the local stack runs ``seed`` itself, with its own variables)."""
    parser = argparse.ArgumentParser(prog="python -m provision.seed",
                                     description="validate etcd-seed/ and write it into etcd")
    parser.add_argument("--dir", type=Path, default=SEED_DIR)
    parser.add_argument("--check", action="store_true", help="validate only")
    args = parser.parse_args(argv)
    try:
        if args.check:
            validate_seed(read_seed(args.dir, {}))
            print("etcd-seed is valid")
            return 0
        counts = seed(etcd_client(), args.dir)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("seeded etcd: {written} written, {deleted} deleted, {unchanged} unchanged".format(**counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
