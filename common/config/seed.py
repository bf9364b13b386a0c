"""Write ``etcd-seed/`` into etcd, idempotently, after validating it.

``etcd-seed/common.json`` holds ``/tessera/common/*``; ``etcd-seed/<service>.json`` holds
``/tessera/<service>/*``. String values may contain ``${NAME}`` or ``${NAME:-default}``
placeholders, expanded from the environment first and then from the local stack
(``RUN_DIR``, ``MONGO_PORT``, ``REDIS_PORT``, ``AMQP_PORT``, ``SMTP_PORT``, ``HTTP_PORT``…,
``MONGO_PASSWORD_<SERVICE>`` from ``<run>/mongo/users.json`` and ``AMQP_PASSWORD_<SERVICE>``
from ``<run>/rabbitmq/users.json``), so one seed serves the
dev stack, the test stack and containers.

Every service's merged configuration is validated with its ``ConfigSchema`` before
anything is written; keys that are already right are left alone and keys that the seed
no longer has are deleted.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any

import etcd

from common.config import PREFIX, ConfigError, read_namespace, validate
from common.config.schema import PER_SERVICE_KEYS, CommonConfigSchema
from devstack import mongo_access, rabbitmq_access
from devstack.topology import ROOT, SERVICES, WORKERS, Stack, get_stack

SEED_DIR = ROOT / "etcd-seed"
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")


def stack_variables(stack: Stack) -> dict[str, str]:
    """Placeholder values that describe ``stack``: ``RUN_DIR``, ``<NAME>_PORT`` and each
    service's MongoDB password ``MONGO_PASSWORD_<SERVICE>`` (made on first use)."""
    variables = {f"{name.upper()}_PORT": str(port) for name, port in stack.ports.items()}
    variables["RUN_DIR"] = str(stack.run_dir)
    variables.update(mongo_access.seed_variables(stack))
    variables.update(rabbitmq_access.seed_variables(stack))
    return variables


def expand(value: Any, variables: dict[str, str]) -> Any:
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


def read_seed(seed_dir: Path, variables: dict[str, str]) -> dict[str, dict[str, Any]]:
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
    names = {s.name for s in SERVICES} | set(WORKERS)
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


def seed(client: etcd.Client, seed_dir: Path = SEED_DIR, stack: Stack | None = None) -> dict[str, int]:
    """Validate ``seed_dir`` for ``stack`` (default: the current one) and write it to etcd."""
    namespaces = read_seed(seed_dir, stack_variables(stack or get_stack()))
    validate_seed(namespaces)
    return write_seed(client, namespaces)
