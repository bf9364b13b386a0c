"""Where every part of the local stack lives: ports, run directory, the services and workers.

This is the one place that names the ports. Two stacks exist:

* ``dev``  — what ``make up``/``make start`` run, in ``.run/``, nginx on 8080
  (``TESSERA_HTTP_PORT`` changes it);
* ``test`` — what ``make test`` runs, in ``.run/test/``, every port shifted by 1000,
  so tests never touch a developer's data and can run while ``make up`` does;
* ``test-1`` … ``test-9`` — more test stacks (ports shifted by 1000 + 100·n), so that
  several people can run the suite on one machine at once.

The stack is chosen with ``TESSERA_STACK`` (``dev`` by default).

Replicas: a service or worker may run as N identical instances (``REPLICAS``). Every
service and worker is stateless — sessions, CSRF tokens and rate limits live in Redis,
users in MongoDB, work in RabbitMQ — so nginx spreads requests over a service's
instances (one ``upstream`` with a server per instance) and a worker's instances are
competing consumers of its queue. The test stacks run the N-replica form, so the whole
suite passes through it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from common import catalog

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Service:
    """One HTTP service: ``name`` is the Python package under ``services/``,
    ``url_name`` its segment under ``/api/`` and ``port`` its gunicorn port (dev stack)."""

    name: str
    port: int

    @property
    def url_name(self) -> str:
        return self.name.replace("_", "-")


#: Each service's gunicorn port on the dev stack; the services themselves are named in
#: ``common.catalog`` (tests/unit/devstack/test_topology.py checks every one has a port).
SERVICE_PORTS: dict[str, int] = {
    "jsconfig": 8101,
    "signup": 8102,
    "authn": 8103,
    "personal_data": 8104,
    "emails": 8105,
    "phones": 8106,
    "security": 8107,
    "reset_password": 8108,
    "oidc": 8109,
}

#: HTTP services, in the order nginx lists them.
SERVICES: tuple[Service, ...] = tuple(Service(name, SERVICE_PORTS[name]) for name in catalog.SERVICES)

#: AMQP consumers: name → module run with ``python -m``.
WORKERS: dict[str, str] = catalog.WORKERS

#: Instances per stack kind of the services and workers that run more than one
#: (the rest run one). The test stacks run two gunicorns of personal_data behind one
#: nginx upstream and two attribute managers on ``am.sync``.
REPLICAS: dict[str, dict[str, int]] = {
    "dev": {},
    "test": {"personal_data": 2, "am": 2},
}
#: gunicorn worker processes per instance of a service (the rest run one). Each sync
#: worker is a process of its own: ~6 MiB of private pages fresh from a ``--preload``
#: fork, 15–20 MiB once it has served traffic (its writes to the shared app's objects
#: copy their pages), and 19 MiB more once it has hashed a password (argon2's memory
#: cost stays in glibc's heap). Seven services cut from two workers to one: the test
#: stack's gunicorns 836 → 763 MiB PSS at rest, 928 → 804 MiB after the memory bench's
#: load (issue 15). Two where a user's every page load or login lands and one request
#: must not wait behind another's argon2 hash (authn: login, personal_data: the SPA's
#: reads, the authenticated-read bench); one for the services a user reaches a few
#: times per visit. A deployment sizes these to its traffic (the Dockerfile's
#: GUNICORN_CMD_ARGS, docker-compose.yml's per-service ``--workers``).
GUNICORN_WORKERS: dict[str, int] = {"authn": 2, "personal_data": 2}

#: Instance n of a service listens on its port + 10·(n-1); four keep clear of the
#: other ports (tests/unit/devstack/test_topology.py checks every stack).
MAX_REPLICAS = 4
REPLICA_PORT_STEP = 10

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
    # the stack's Prometheus (its own web UI and API)
    "prometheus": 30190,
}

#: Metrics ports (``common.metrics``: served by each gunicorn master and worker process,
#: never proxied by nginx) live in a block of their own, 30100–30199 on the dev stack,
#: where no other port of any stack falls within the 1900 that the offsets span: a
#: service instance's metrics port is its HTTP port + METRICS_SHIFT (8101 → 30101 …
#: 8139 → 30139), a worker instance's its base here + 10·(n-1).
METRICS_SHIFT = 22000
WORKER_METRICS_PORTS: dict[str, int] = {"am": 30141, "msg": 30142}

#: The demo relying party (``devstack/demo_rp.py``): 8090 on the dev stack, where API.md
#: registers its redirect URIs; on the test stacks 8150 + the stack's offset, because
#: 8090 + offset would be the supervisor port (8190) of the stack one hundred below.
DEMO_RP_PORT = {"dev": 8090, "test": 8150}


@dataclass(frozen=True)
class Stack:
    """A concrete stack: its name, run directory and resolved ports."""

    name: str
    run_dir: Path
    ports: dict[str, int]
    service_ports: dict[str, int]
    replicas: dict[str, int]

    def instances(self, name: str) -> list[str]:
        """Program names of service or worker ``name``: ``["jsconfig"]`` for one
        instance, ``["am-1", "am-2"]`` for two."""
        count = self.replicas.get(name, 1)
        return [name] if count == 1 else [f"{name}-{n}" for n in range(1, count + 1)]

    def instance_port(self, program: str) -> int:
        """The port of service instance ``program`` (``personal_data-2`` or ``jsconfig``).

        Raises KeyError for a program that is no instance of a service of this stack.
        """
        name = service_of(program)
        instances = self.instances(name)
        if name not in self.service_ports or program not in instances:
            raise KeyError(program)
        return self.service_ports[name] + REPLICA_PORT_STEP * instances.index(program)

    def metrics_port(self, program: str) -> int:
        """The internal metrics port of service or worker instance ``program``
        (``personal_data-2``, ``am-1``, ``msg``). Raises KeyError for another name."""
        name = service_of(program)
        if name in WORKER_METRICS_PORTS:
            instances = self.instances(name)
            if program not in instances:
                raise KeyError(program)
            offset = self.ports["prometheus"] - BASE_PORTS["prometheus"]
            return WORKER_METRICS_PORTS[name] + offset + REPLICA_PORT_STEP * instances.index(program)
        return self.instance_port(program) + METRICS_SHIFT

    def instance_ports(self, name: str) -> list[int]:
        """The ports of every instance of service ``name``, first instance first."""
        return [self.instance_port(program) for program in self.instances(name)]

    @property
    def etcd_address(self) -> str:
        """``host:port`` of etcd, the value of ``TESSERA_ETCD`` for the services."""
        return f"127.0.0.1:{self.ports['etcd']}"

    @property
    def base_url(self) -> str:
        """The origin nginx serves, e.g. ``http://localhost:8080`` (the config's
        ``public_url``). nginx binds 127.0.0.1, but browsers refuse an IP address as a
        WebAuthn relying-party id (W3C WebAuthn §5.1.3/§13.4.9: an RP id is a registrable
        domain), and ``localhost`` is a secure context without TLS."""
        return f"http://localhost:{self.ports['http']}"

    @property
    def demo_rp_url(self) -> str:
        """The demo relying party's origin, e.g. ``http://127.0.0.1:8090``: 127.0.0.1, as
        its registered redirect URIs say, so its cookie is not one of Tessera's
        (``localhost``) either."""
        return f"http://127.0.0.1:{self.ports['demo_rp']}"

    @property
    def prometheus_url(self) -> str:
        """The stack's Prometheus (web UI and ``/api/v1/``), e.g. ``http://127.0.0.1:30190``."""
        return f"http://127.0.0.1:{self.ports['prometheus']}"

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
    ports["demo_rp"] = DEMO_RP_PORT["dev"] if name == "dev" else DEMO_RP_PORT["test"] + offset
    if name == "dev" and os.environ.get("TESSERA_HTTP_PORT"):
        ports["http"] = int(os.environ["TESSERA_HTTP_PORT"])
    run_dir = ROOT / ".run" if name == "dev" else ROOT / ".run" / name
    return Stack(
        name=name,
        run_dir=run_dir,
        ports=ports,
        service_ports={s.name: s.port + offset for s in SERVICES},
        replicas=dict(REPLICAS["test" if is_test_stack(name) else "dev"]),
    )


#: The environment of the services that hash a password rarely (a new password, a
#: reset, recovery codes; a login's verify is authn's): glibc raises its mmap threshold
#: to the size of the first large block a process frees, so after one argon2 hash its
#: 19 MiB memory cost (etcd-seed/common.json) came from the heap and stayed there for
#: the life of the process. A fixed threshold of 4 MiB hands every block that large to
#: mmap and back to the kernel when freed (glibc mallopt(3), M_MMAP_THRESHOLD; smaller
#: blocks keep the heap). The price is the pages faulted in again per hash: 38 -> 60 ms
#: of CPU (argon2-cffi verify, time_cost 2, 19 MiB; issue 15). authn keeps the default,
#: its logins are the argon2 ceiling's figure.
RARE_HASH_ENV: dict[str, str] = {"MALLOC_MMAP_THRESHOLD_": str(4 * 1024 * 1024)}
RARE_HASH_SERVICES: frozenset[str] = frozenset({"signup", "reset_password", "security"})


def malloc_env(service: str) -> dict[str, str]:
    """The environment particular to ``service``'s gunicorn (``RARE_HASH_ENV`` for the
    services of ``RARE_HASH_SERVICES``, else nothing)."""
    return dict(RARE_HASH_ENV) if service in RARE_HASH_SERVICES else {}


def gunicorn_workers(service: str) -> int:
    """How many worker processes each gunicorn of ``service`` forks (``GUNICORN_WORKERS``, else 1)."""
    return GUNICORN_WORKERS.get(service, 1)


def service_of(program: str) -> str:
    """The service or worker a program is an instance of: ``am-2`` → ``am``."""
    name, _, number = program.rpartition("-")
    return name if name and number.isdigit() else program
