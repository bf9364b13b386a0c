"""Configuration from etcd (v2 API, python-etcd).

Keys live at ``/tessera/common/<key>`` and ``/tessera/<service>/<key>``; each value is
JSON. A service's configuration is the common keys overlaid by its own, validated by the
service's marshmallow ``ConfigSchema`` at start: a missing, unknown or invalid key stops
the start with ``ConfigError`` naming the key.

The only thing read from the environment is the etcd address (``TESSERA_ETCD``,
``host:port``, or ``host:port,host:port,…`` for the members of an etcd cluster) and secrets that override a config key: a field declared with
``metadata={"secret": True}`` is taken from ``TESSERA_SECRET_<KEY>`` when that is set.
"""
from __future__ import annotations

import json
import os
from typing import Any, Mapping

import etcd
from marshmallow import Schema, ValidationError

from common.config.schema import CommonConfigSchema

__all__ = ["ConfigError", "CommonConfigSchema", "ETCD_ENV", "PREFIX", "etcd_client", "etcd_members", "load_config"]

ETCD_ENV = "TESSERA_ETCD"
PREFIX = "/tessera"


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message names the offending key."""


def etcd_members(address: str) -> list[tuple[str, int]]:
    """``[(host, port)]`` of ``address``: ``host:port`` or a comma-separated list of them.

    Raises ConfigError when an entry is malformed.
    """
    members = []
    for entry in address.split(","):
        host, _, port = entry.strip().rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"{ETCD_ENV}={address!r}: expected host:port[,host:port…]")
        members.append((host, int(port)))
    return members


def etcd_client() -> etcd.Client:
    """A python-etcd client for ``$TESSERA_ETCD`` (default ``127.0.0.1:2479``).

    With several members (an etcd cluster), the client starts with the first that
    answers and moves to another when one fails (python-etcd's ``allow_reconnect``).
    Raises ConfigError when the variable is malformed, ``etcd.EtcdException`` when no
    member of a cluster answers.
    """
    members = etcd_members(os.environ.get(ETCD_ENV, "127.0.0.1:2479"))
    if len(members) == 1:
        [(host, port)] = members
        return etcd.Client(host=host, port=port, read_timeout=5)
    return etcd.Client(host=tuple(members), read_timeout=5, allow_reconnect=True)


def read_namespace(client: etcd.Client, namespace: str) -> dict[str, Any]:
    """All keys under ``/tessera/<namespace>`` as ``{key: decoded JSON value}``.

    A namespace that does not exist is empty. Raises ConfigError for a value that is
    not JSON, and ``etcd.EtcdConnectionFailed`` when etcd cannot be reached.
    """
    try:
        result = client.read(f"{PREFIX}/{namespace}", recursive=True)
    except etcd.EtcdKeyNotFound:
        return {}
    values: dict[str, Any] = {}
    for leaf in result.leaves:
        if leaf.dir or leaf.key == f"{PREFIX}/{namespace}":
            continue
        key = leaf.key[len(PREFIX) + len(namespace) + 2:]
        try:
            values[key] = json.loads(leaf.value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"config key {leaf.key}: value is not JSON ({exc})") from exc
    return values


def validate(service: str, schema_cls: type[Schema], raw: Mapping[str, Any],
             partial: tuple[str, ...] = ()) -> dict[str, Any]:
    """Validate ``raw`` with ``schema_cls`` (the keys of ``partial`` may be missing);
    raise ConfigError naming the first bad key."""
    try:
        return schema_cls().load(dict(raw), partial=partial)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_key_path(service, key, raw)}: {_flatten(msgs)}"
            for key, msgs in sorted(exc.messages_dict.items()))
        raise ConfigError(f"invalid configuration for {service}: {problems}") from exc


def _key_path(service: str, key: str, raw: Mapping[str, Any]) -> str:
    return f"{PREFIX}/{service}/{key}" if key in raw or key == "_schema" else f"{PREFIX}/(common|{service})/{key}"


def _flatten(messages: Any) -> str:
    if isinstance(messages, dict):
        return ", ".join(f"{k}: {_flatten(v)}" for k, v in messages.items())
    if isinstance(messages, list):
        return " ".join(str(m) for m in messages)
    return str(messages)


def apply_secrets(schema_cls: type[Schema], raw: dict[str, Any]) -> dict[str, Any]:
    """Overlay secret keys from ``TESSERA_SECRET_<KEY>`` (the key upper-cased).

    Only fields whose metadata has ``secret: True`` may come from the environment, so
    the environment can never quietly change anything else.
    """
    merged = dict(raw)
    for name, field in schema_cls().fields.items():
        if field.metadata.get("secret"):
            value = os.environ.get(f"TESSERA_SECRET_{name.upper()}")
            if value is not None:
                merged[name] = value
    return merged


def load_config(service: str, schema_cls: type[Schema], *, client: etcd.Client | None = None,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Load, overlay and validate the configuration of ``service``.

    Returns the validated dict. ``overrides`` (tests only) is applied last.
    Raises ConfigError (bad or missing key, etcd unreachable at start).
    """
    client = client or etcd_client()
    try:
        raw = read_namespace(client, "common")
        raw.update(read_namespace(client, service))
    except etcd.EtcdConnectionFailed as exc:
        raise ConfigError(f"etcd at {os.environ.get(ETCD_ENV, '127.0.0.1:2479')} cannot be reached: {exc}") from exc
    raw = apply_secrets(schema_cls, raw)
    if overrides:
        raw.update(overrides)
    return validate(service, schema_cls, raw)
