"""The platform's parts by name: the facts that the runtime, provisioning and the local
stack all need, in one place.

A leaf module (standard library only, nothing from ``common``), so that ``common.db``,
``common.amqp``, the provisioning jobs (``provision``) and the dev tooling (``devstack``)
can all read it without one pulling in another. Queue names and message schemas are
not here: each queue's contract lives in ``common.queues``.

Adding a service means adding its name to ``SERVICES`` (and its port to
``devstack.topology``); its database, MongoDB user and RabbitMQ user follow from here.
"""
from __future__ import annotations

#: HTTP services: the Python package under ``services/``, in the order nginx lists them.
SERVICES: tuple[str, ...] = (
    "jsconfig",
    "signup",
    "authn",
    "personal_data",
    "emails",
    "phones",
    "security",
    "reset_password",
    "oidc",
)

#: AMQP consumers: name → the module each one runs with ``python -m``.
WORKERS: dict[str, str] = {
    "am": "services.am.worker",
    "msg": "services.msg.worker",
}

#: The database that is the source of truth for users; only the attribute manager writes it.
CENTRAL_DB = "tessera_central"


def principals() -> tuple[str, ...]:
    """Every service and worker, services first: each logs in to MongoDB and RabbitMQ as
    a user of its own (``service_user``)."""
    return (*SERVICES, *WORKERS)


def service_user(name: str) -> str:
    """The MongoDB and RabbitMQ user of service or worker ``name``: ``svc_<name>``."""
    return f"svc_{name}"


def private_db_name(name: str) -> str:
    """``tessera_<name>``: the database that service or worker ``name`` owns."""
    return f"tessera_{name}"


#: The security event log (``common.events``): every service appends, only ``security`` reads.
EVENTS_DB = "tessera_events"
#: its one collection, and how long an event is kept there (one year, a TTL index on ``at``)
EVENTS_COLLECTION = "events"
EVENTS_RETENTION_SECONDS = 365 * 24 * 3600

#: Browsers known per account (``common.known_devices``: the new sign-in alert): written by
#: the services that log people in (``DEVICE_WRITERS``) and by security (forget one).
DEVICES_DB = "tessera_devices"
DEVICES_COLLECTION = "devices"
DEVICE_WRITERS: tuple[str, ...] = ("authn", "signup", "security")

#: Every service's and worker's own database: what an account's deletion purges and
#: the attribute manager may therefore write. The AM itself keeps no database.
SERVICE_DATABASES: tuple[str, ...] = tuple(private_db_name(name) for name in principals() if name != "am")


#: Every database that holds data about a user, by whichever service: what an account's
#: deletion purges (``services.am.purge``) and the data export shows
#: (``services.security.export``) — one list, so the two can never cover different data.
USER_DATA_DATABASES: tuple[str, ...] = (*SERVICE_DATABASES, EVENTS_DB, DEVICES_DB)
