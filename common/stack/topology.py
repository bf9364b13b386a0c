"""Where every part of the local stack lives: ports, run directory, the services and workers.

This is the one place that names the ports. Two stacks exist:

* ``dev``  — what ``make up``/``make start`` run, in ``.run/``, nginx on 8080
  (``TESSERA_HTTP_PORT`` changes it);
* ``test`` — what ``make test`` runs, in ``.run/test/``, every port shifted by 1000,
  so tests never touch a developer's data and can run while ``make up`` does;
* ``test-1`` … ``test-9`` — more test stacks (ports shifted by 1000 + 100·n), so that
  several people can run the suite on one machine at once.

The stack is chosen with ``TESSERA_STACK`` (``dev`` by default).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Service:
    """One HTTP service: ``name`` is the Python package under ``services/``,
    ``url_name`` its segment under ``/api/`` and ``port`` its gunicorn port (dev stack)."""

    name: str
    port: int

    @property
    def url_name(self) -> str:
        return self.name.replace("_", "-")


#: HTTP services, in the order nginx lists them.
SERVICES: tuple[Service, ...] = (
    Service("jsconfig", 8101),
    Service("signup", 8102),
    Service("authn", 8103),
    Service("personal_data", 8104),
    Service("emails", 8105),
    Service("phones", 8106),
    Service("security", 8107),
    Service("reset_password", 8108),
)

#: AMQP consumers: name → module run with ``python -m``.
WORKERS: dict[str, str] = {
    "am": "services.am.worker",
    "msg": "services.msg.worker",
}

#: Backing-service ports of the dev stack.
BASE_PORTS: dict[str, int] = {
    "http": 8080,
    "mongo": 27117,
    "redis": 6479,
    "amqp": 5772,
    "amqp_dist": 25772,
    "epmd": 4469,
    "etcd": 2479,
    "etcd_peer": 2480,
    "smtp": 2525,
    "supervisor": 8190,
}


@dataclass(frozen=True)
class Stack:
    """A concrete stack: its name, run directory and resolved ports."""

    name: str
    run_dir: Path
    ports: dict[str, int]
    service_ports: dict[str, int]

    @property
    def etcd_address(self) -> str:
        """``host:port`` of etcd, the value of ``TESSERA_ETCD`` for the services."""
        return f"127.0.0.1:{self.ports['etcd']}"

    @property
    def base_url(self) -> str:
        """The origin nginx serves, e.g. ``http://127.0.0.1:8080``."""
        return f"http://127.0.0.1:{self.ports['http']}"

    @property
    def mail_dir(self) -> Path:
        """The Maildir the SMTP sink writes to (one RFC 5322 file per mail under ``new/``)."""
        return self.run_dir / "mail"

    @property
    def sms_file(self) -> Path:
        """The development SMS outbox: one JSON object per line."""
        return self.run_dir / "sms.jsonl"


def stack_offset(name: str) -> int:
    """How far the ports of stack ``name`` are shifted from the dev stack's.

    The base ports are chosen so that no two of them differ by a multiple of 100 up to
    1900, so no two stacks' ports collide. Raises ValueError for an unknown name.
    """
    if name == "dev":
        return 0
    if name == "test":
        return 1000
    if name.startswith("test-") and name[5:].isdigit() and 1 <= int(name[5:]) <= 9:
        return 1000 + 100 * int(name[5:])
    raise ValueError(f"unknown stack {name!r}: expected dev, test or test-1 … test-9")


def is_test_stack(name: str) -> bool:
    """Whether ``name`` is one of the test stacks (whose data the tests may wipe)."""
    return name == "test" or name.startswith("test-")


def get_stack(name: str | None = None) -> Stack:
    """Return the stack named ``name`` (default: ``$TESSERA_STACK`` or ``dev``).

    Raises ValueError for a name other than ``dev``, ``test`` or ``test-1`` … ``test-9``.
    """
    name = name or os.environ.get("TESSERA_STACK", "dev")
    offset = stack_offset(name)
    ports = {key: port + offset for key, port in BASE_PORTS.items()}
    if name == "dev" and os.environ.get("TESSERA_HTTP_PORT"):
        ports["http"] = int(os.environ["TESSERA_HTTP_PORT"])
    run_dir = ROOT / ".run" if name == "dev" else ROOT / ".run" / name
    return Stack(
        name=name,
        run_dir=run_dir,
        ports=ports,
        service_ports={s.name: s.port + offset for s in SERVICES},
    )
