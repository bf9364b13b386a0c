"""RabbitMQ access control: a user per service and worker with the least permissions.

Every service and worker logs in as ``svc_<name>`` (``common.amqp.service_user``). Its
permissions on the virtual host ``/`` are three regular expressions over resource names
(configure, write, read; RabbitMQ's access-control guide), from ``permissions_for``:

* an HTTP service may publish through the default exchange and read nothing: it cannot
  take another service's jobs, e.g. the mails with verification codes. RPC replies
  come over direct reply-to, which needs no permission. ``jsconfig`` talks to no queue
  and gets nothing;
* ``am`` reads ``am.sync`` and ``msg`` reads ``msg.mail`` and ``msg.sms``, and both
  publish (retries, replies) through the default exchange;
* nobody may configure: the work queues (``WORK_QUEUES``, each with its ``.retry`` and
  ``.dead``) are declared by the definitions themselves, with the deployment's queue
  type. Declaring a queue that dead-letters takes read permission on it (RabbitMQ's
  rule), which would let a publisher read the queue it only needs to reach.

Publishing through the default exchange reaches any queue, so the permission alone
cannot keep a service off ``am.sync``; what it cannot do is pass as another service:
publishers stamp ``user_id``, which RabbitMQ checks against the login, and the AM
applies the whitelist of the service that really sent the sync.

The users and queues come from a definitions file that RabbitMQ imports at every boot
(``load_definitions`` in rabbitmq.conf), so they exist before any client connects.
Passwords are random per stack, kept in ``<run>/rabbitmq/users.json``; the definitions
hold only their salted SHA-256 hashes. The local stack keeps ``guest`` (which RabbitMQ
admits from loopback only) as the administrator of its tooling and tests.
``python -m devstack.rabbitmq_access <path>`` writes the definitions for containers
from ``AMQP_PASSWORD_<NAME>`` (docker-compose.yml).
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from common.amqp import QUEUE_TYPES, queue_specs, service_user
from common.messaging import MAIL_QUEUE, SMS_QUEUE
from common.users import AM_QUEUE
from devstack.credentials import stored_passwords, write_json
from devstack.topology import SERVICES, WORKERS, Stack

VHOST = "/"
#: the local stack's administrator (tooling, tests): RabbitMQ admits it from loopback only
LOCAL_ADMIN = ("guest", "guest")
#: the platform's work queues: the definitions declare them and their .retry and .dead
WORK_QUEUES = (AM_QUEUE, MAIL_QUEUE, SMS_QUEUE)
#: ``amqp_queue_type`` of the seed, from the same variable with the same default
QUEUE_TYPE_ENV = "AMQP_QUEUE_TYPE"
DEFAULT_EXCHANGE = r"^amq\.default$"
NOTHING = "^$"
#: services that publish no message at all
NO_QUEUES = frozenset({"jsconfig"})


def principals() -> list[str]:
    """Every service and worker that gets a RabbitMQ user."""
    return [s.name for s in SERVICES] + list(WORKERS)


def permissions_for(name: str) -> dict[str, str]:
    """``{"configure", "write", "read"}`` regular expressions of service or worker ``name``."""
    if name == "am":
        return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": r"^am\.sync$"}
    if name == "msg":
        return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": r"^msg\.(mail|sms)$"}
    if name in NO_QUEUES:
        return {"configure": NOTHING, "write": NOTHING, "read": NOTHING}
    return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": NOTHING}


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + SHA-256(salt +
    password)) with a 4-byte random salt."""
    salt = salt if salt is not None else secrets.token_bytes(4)
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def queue_type() -> str:
    """The deployment's queue type: ``$AMQP_QUEUE_TYPE`` or ``classic``, as in the seed.
    Raises ValueError for an unknown type."""
    value = os.environ.get(QUEUE_TYPE_ENV) or "classic"
    if value not in QUEUE_TYPES:
        raise ValueError(f"{QUEUE_TYPE_ENV}={value!r}: expected one of {', '.join(QUEUE_TYPES)}")
    return value


def definitions(passwords: dict[str, str], admin: tuple[str, str] | None = None,
                kind: str = "classic") -> dict[str, Any]:
    """The definitions document (users, the vhost, permissions, the work queues of type
    ``kind``) for ``passwords`` (service or worker name → password) and an optional
    administrator (user, password)."""
    users = [{"name": service_user(name), "password_hash": password_hash(password),
              "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
             for name, password in sorted(passwords.items())]
    permissions = [{"user": service_user(name), "vhost": VHOST, **permissions_for(name)}
                   for name in sorted(passwords)]
    if admin:
        users.append({"name": admin[0], "password_hash": password_hash(admin[1]),
                      "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]})
        permissions.append({"user": admin[0], "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"})
    queues = [{"name": name, "vhost": VHOST, "durable": True, "auto_delete": False, "arguments": arguments}
              for work_queue in WORK_QUEUES for name, arguments in queue_specs(work_queue, kind)]
    return {"users": users, "vhosts": [{"name": VHOST}], "permissions": permissions, "queues": queues}


# --- the local stack ---------------------------------------------------------------


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


def main(argv: list[str] | None = None) -> int:
    """Containers: write the definitions for ``AMQP_PASSWORD_<NAME>`` of every service
    and worker, with queues of type ``$AMQP_QUEUE_TYPE``, to the path given (readable by the broker's own user), with no
    administrator (``rabbitmqctl`` in the broker's container needs none)."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m devstack.rabbitmq_access <definitions.json>", file=sys.stderr)
        return 2
    missing = [f"AMQP_PASSWORD_{name.upper()}" for name in principals()
               if not os.environ.get(f"AMQP_PASSWORD_{name.upper()}")]
    if missing:
        print(f"missing: {', '.join(missing)}", file=sys.stderr)
        return 1
    known = {name: os.environ[f"AMQP_PASSWORD_{name.upper()}"] for name in principals()}
    write_json(Path(args[0]), definitions(known, kind=queue_type()), mode=0o644)
    print(f"wrote {args[0]}: {', '.join(service_user(name) for name in principals())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
