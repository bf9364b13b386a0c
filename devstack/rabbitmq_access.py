"""RabbitMQ access control of a local stack: the run dir's passwords and the definitions
file the node imports at every boot (``load_definitions`` in rabbitmq.conf).

What the users may do and which queues exist is ``provision.rabbitmq_definitions``'s,
shared with the containers. Passwords are random per stack, kept in
``<run>/rabbitmq/users.json``; the definitions hold only their salted SHA-256 hashes.
The local stack keeps ``guest`` (which RabbitMQ admits from loopback only) as the
administrator of its tooling and tests.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from common.catalog import principals, service_user
from devstack.credentials import stored_passwords
from devstack.topology import Stack
from provision.files import write_json
from provision.rabbitmq_definitions import definitions, password_hash, queue_type

#: the local stack's administrator (tooling, tests): RabbitMQ admits it from loopback only
LOCAL_ADMIN = ("guest", "guest")


def passwords(stack: Stack, create: bool = True) -> dict[str, str]:
    """Service or worker name → its RabbitMQ password, from ``<run>/rabbitmq/users.json``
    (made at first use; with ``create`` False only what the file holds)."""
    stored = stored_passwords(stack.run_dir / "rabbitmq" / "users.json",
                              [service_user(name) for name in principals()], create)
    return {name: stored[service_user(name)] for name in principals() if service_user(name) in stored}


def definitions_path(stack: Stack) -> Path:
    """``<run>/rabbitmq/definitions.json``, which the node imports when it boots."""
    return stack.run_dir / "rabbitmq" / "definitions.json"


def write_definitions(stack: Stack) -> bool:
    """Write the stack's definitions unless they already grant the same (a new salt
    alone is no change); return True when written."""
    path = definitions_path(stack)
    wanted = definitions(passwords(stack), LOCAL_ADMIN, queue_type())
    if path.exists() and _same_grants(json.loads(path.read_text()), wanted, passwords(stack)):
        return False
    write_json(path, wanted)
    return True


def _same_grants(current: dict[str, Any], wanted: dict[str, Any], known: dict[str, str]) -> bool:
    """Whether ``current`` has ``wanted``'s users, permissions and passwords."""
    secret = {service_user(name): password for name, password in known.items()}
    secret[LOCAL_ADMIN[0]] = LOCAL_ADMIN[1]

    def shape(document: dict[str, Any]) -> tuple:
        users = sorted((u["name"], tuple(u["tags"])) for u in document.get("users", []))
        return (users, sorted(json.dumps(p, sort_keys=True) for p in document.get("permissions", [])),
                sorted(json.dumps(q, sort_keys=True) for q in document.get("queues", [])))

    for user in current.get("users", []):
        raw = base64.b64decode(user["password_hash"])
        if user["name"] not in secret or password_hash(secret[user["name"]], raw[:4]) != user["password_hash"]:
            return False
    return shape(current) == shape(wanted)


def seed_variables(stack: Stack) -> dict[str, str]:
    """``AMQP_PASSWORD_<NAME>`` for each service and worker that ``users.json`` knows (the
    seed's placeholders); nothing is created here."""
    return {f"AMQP_PASSWORD_{name.upper()}": password
            for name, password in passwords(stack, create=False).items()}
