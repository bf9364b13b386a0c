"""RabbitMQ access control: a user per service and worker with the least permissions,
and the work queues, as a definitions document the broker imports at every boot.

Every service and worker logs in as ``svc_<name>`` (``common.catalog.service_user``).
Its permissions on the virtual host ``/`` are three regular expressions over resource
names (configure, write, read; RabbitMQ's access-control guide), from ``permissions_for``:

* an HTTP service may publish through the default exchange and read nothing: it cannot
  take another service's jobs, e.g. the mails with verification codes. RPC replies
  come over direct reply-to, which needs no permission. ``jsconfig`` talks to no queue
  and gets nothing;
* ``am`` reads ``am.sync`` and ``msg`` reads ``msg.mail`` and ``msg.sms``, and both
  publish (retries, replies) through the default exchange;
* nobody may configure: the work queues (``common.queues.WORK_QUEUES``, each with its ``.retry`` and
  ``.dead``) are declared by the definitions themselves, with the deployment's queue
  type. Declaring a queue that dead-letters takes read permission on it (RabbitMQ's
  rule), which would let a publisher read the queue it only needs to reach.

Publishing through the default exchange reaches any queue, so the permission alone
cannot keep a service off ``am.sync``; what it cannot do is pass as another service:
publishers stamp ``user_id``, which RabbitMQ checks against the login, and the AM
applies the whitelist of the service that really sent the sync.

The definitions hold only salted SHA-256 hashes of the passwords. The local stack
(``devstack.rabbitmq_access``) writes them from its run dir's passwords;
``python -m provision.rabbitmq_definitions <path>`` writes them for containers from
``AMQP_PASSWORD_<NAME>`` (docker-compose.yml's ``rabbitmq-users`` job).
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import sys
from pathlib import Path
from typing import Any

from common.amqp import QUEUE_TYPES, queue_specs
from common.catalog import principals, service_user
from common.queues import AM_SYNC, MAIL, SMS, WORK_QUEUES
from provision.files import write_json

VHOST = "/"
#: ``amqp_queue_type`` of the seed, from the same variable with the same default
QUEUE_TYPE_ENV = "AMQP_QUEUE_TYPE"
DEFAULT_EXCHANGE = r"^amq\.default$"
NOTHING = "^$"
#: services that publish no message at all
NO_QUEUES = frozenset({"jsconfig"})


def permissions_for(name: str) -> dict[str, str]:
    """``{"configure", "write", "read"}`` regular expressions of service or worker ``name``."""
    if name == "am":
        return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": _exactly(AM_SYNC.name)}
    if name == "msg":
        return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": _exactly(MAIL.name, SMS.name)}
    if name in NO_QUEUES:
        return {"configure": NOTHING, "write": NOTHING, "read": NOTHING}
    return {"configure": NOTHING, "write": DEFAULT_EXCHANGE, "read": NOTHING}


def _exactly(*names: str) -> str:
    """A regular expression that matches exactly the resource names ``names``."""
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


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


def main(argv: list[str] | None = None) -> int:
    """Containers: write the definitions for ``AMQP_PASSWORD_<NAME>`` of every service
    and worker, with queues of type ``$AMQP_QUEUE_TYPE``, to the path given (readable by
    the broker's own user), with no administrator (``rabbitmqctl`` in the broker's
    container needs none). Exit status 2 for a wrong call, 1 naming missing variables."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m provision.rabbitmq_definitions <definitions.json>", file=sys.stderr)
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
