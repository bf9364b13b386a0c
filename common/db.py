"""MongoDB: one client per URI, the service's own database, a read-only central database.

Each service owns ``tessera_<service>`` (its private copy of the user attributes it may
change, its pending codes, its proofing log). ``tessera_central.users`` is the source of
truth; only the attribute manager writes it, so every other service gets a handle that
can only read (``ReadOnlyDatabase``).

That handle is a convenience for our own code; the server enforces the same rule: each
service logs in as its own MongoDB user (``mongo_username``/``mongo_password`` in its
configuration), whose roles (``provision.mongo_users.roles_for``) allow nothing more.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

# The names are the catalog's; imported here too because the services ask common.db.
from common.catalog import CENTRAL_DB, SERVICE_DATABASES, private_db_name  # noqa: F401

if TYPE_CHECKING:  # the queue workers run without Flask (issue 15: 41 → 35 MiB for the AM worker)
    from flask import Flask

_clients: dict[tuple[str, str | None], MongoClient] = {}
_clients_lock = threading.Lock()


def get_client(uri: str, username: str | None = None, password: str | None = None) -> MongoClient:
    """The process-wide ``MongoClient`` for ``uri`` as ``username`` (created on first use).

    pymongo pools connections per client, so one client per URI and user is the right
    number. Users live in the ``admin`` database. Time-outs come from the URI
    (``serverSelectionTimeoutMS``) so that a MongoDB that is down fails a request in
    about two seconds instead of thirty.
    """
    with _clients_lock:
        client = _clients.get((uri, username))
        if client is None:
            auth = {} if username is None else {"username": username, "password": password, "authSource": "admin"}
            client = MongoClient(uri, tz_aware=True, connect=False, **auth)
            _clients[(uri, username)] = client
        return client


def client_for(config: Mapping[str, Any]) -> MongoClient:
    """The client of a service or worker, from its validated configuration: its own
    user (``mongo_username``, ``mongo_password``) on ``mongo_uri``."""
    return get_client(config["mongo_uri"], config["mongo_username"], config["mongo_password"])


def close_clients() -> None:
    """Close every client (end of a test session, or a worker shutting down)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


class ReadOnlyCollection:
    """A collection on which only reads exist: find, find_one, count_documents, distinct,
    and aggregate without ``$out``/``$merge``. Anything else is an AttributeError."""

    _READS = ("find", "find_one", "count_documents", "estimated_document_count", "distinct", "name")

    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    def __getattr__(self, name: str) -> Any:
        if name in self._READS:
            return getattr(self._collection, name)
        raise AttributeError(f"{name!r} is not allowed on the read-only central database")

    def aggregate(self, pipeline: list[dict[str, Any]], **kwargs: Any):
        """Run a read-only aggregation; raises ValueError for ``$out`` or ``$merge``."""
        if any(("$out" in stage or "$merge" in stage) for stage in pipeline):
            raise ValueError("$out and $merge write, and the central database is read-only here")
        return self._collection.aggregate(pipeline, **kwargs)


class ReadOnlyDatabase:
    """The central database as seen by a service that may only read it.

    Each collection's handle is made once and kept: pymongo builds a new ``Collection``
    (codec options, read preference, concern checks) at every ``database[name]``, ~1.5%
    of an authenticated read's CPU (issue 15); a ``Collection`` is immutable and
    thread-safe (pymongo docs), so one handle per name serves every request."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._collections: dict[str, ReadOnlyCollection] = {}

    @property
    def name(self) -> str:
        return self._database.name

    def __getitem__(self, name: str) -> ReadOnlyCollection:
        collection = self._collections.get(name)
        if collection is None:
            collection = self._collections.setdefault(name, ReadOnlyCollection(self._database[name]))
        return collection

    def __getattr__(self, name: str) -> ReadOnlyCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]


@dataclass
class MongoState:
    """What ``app.extensions['tessera.mongo']`` holds."""

    client: MongoClient
    private: Database
    central: ReadOnlyDatabase


def init_app(app: Flask, service: str) -> None:
    """Bind MongoDB to ``app``: its private database and the read-only central one."""
    client = client_for(app.config["TESSERA"])
    app.extensions["tessera.mongo"] = MongoState(
        client=client,
        private=client[private_db_name(service)],
        central=ReadOnlyDatabase(client[CENTRAL_DB]),
    )


def mongo() -> MongoState:
    """The current app's MongoState."""
    from flask import current_app  # an attribute of the imported module: ~0.3 µs

    return current_app.extensions["tessera.mongo"]


def private_db() -> Database:
    """The current service's own database (read-write)."""
    return mongo().private


def central_db() -> ReadOnlyDatabase:
    """The central user database, read-only."""
    return mongo().central
