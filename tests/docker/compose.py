"""docker-compose.yml as Compose reads it: YAML with merge keys, then ``${…}`` interpolation.

There is no Docker engine (nor the compose plugin) on these machines, so the tests read
the file themselves: ruamel.yaml (YAML 1.2, merge keys resolved, as Compose does) and
the interpolation rules of the Compose specification.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from devstack.topology import ROOT

COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"

# $$ (a literal $), ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error},
# ${NAME?error}, ${NAME:+replacement}, ${NAME+replacement} and $NAME.
_INTERPOLATION = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))")


def load(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The file as a plain dict, before interpolation."""
    return YAML(typ="safe", pure=True).load(path.read_text())


def variables(text: str) -> dict[str, bool]:
    """Every variable ``text`` interpolates → whether some use of it is required (``?``)."""
    found: dict[str, bool] = {}
    for match in _INTERPOLATION.finditer(text):
        name = match.group("braced") or match.group("named")
        if name:
            required = bool(match.group("op") and match.group("op").endswith("?"))
            found[name] = found.get(name, False) or required
    return found


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """``value`` with every string interpolated from ``env``, as Compose does. Raises
    KeyError naming a required variable that ``env`` lacks."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("braced") or match.group("named")
        op, arg = match.group("op") or "", match.group("arg") or ""
        current = env.get(name)
        is_set = current is not None and (current != "" or not op.startswith(":"))
        if op.endswith("-"):
            return current if is_set else arg
        if op.endswith("?"):
            if not is_set:
                raise KeyError(f"{name}: {arg}")
            return current
        if op.endswith("+"):
            return arg if is_set else ""
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def example_env() -> dict[str, str]:
    """A test .env: .env.example's values, with ``test-<name>`` (padded with x to 40
    characters, the least a secret such as MFA_ENCRYPTION_KEY takes) for each one left empty."""
    env = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip() or f"test-{key.strip().lower()}".ljust(40, "x")
    return env


def command(service: dict[str, Any]) -> list[str]:
    """A service's command as a list (Compose splits a string like a shell)."""
    value = service.get("command") or []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """A service's dependencies → their condition (the short form means service_started)."""
    value = service.get("depends_on") or {}
    if isinstance(value, list):
        return {name: "service_started" for name in value}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in value.items()}


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict (Compose also takes a list of NAME=value)."""
    value = service.get("environment") or {}
    if isinstance(value, list):
        return dict(item.partition("=")[::2] for item in value)
    return {k: "" if v is None else str(v) for k, v in value.items()}
