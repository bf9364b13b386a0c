"""MongoDB access control for a local stack: the keyfile, the users and their roles.

The stack's mongod runs with ``--keyFile`` (a replica set with access control needs one;
it implies ``--auth``), so the server itself, not only our Python, keeps each service to
its own database. Every service and worker connects as ``svc_<name>`` with exactly the
roles of ``provision.mongo_users.roles_for`` (shared with the containers); the stack
tooling and the tests connect as ``tessera_admin`` (``root``).

The passwords are random per stack, made once and kept in ``<run>/mongo/users.json``
(mode 600); the seed puts each service's own into its etcd namespace. The users are
created at start (``prepare``), idempotently: while no user exists — a new data dir, or
one that predates access control — mongod's localhost exception lets us initiate the
replica set and create the admin; after that the admin does the rest.
"""
from __future__ import annotations

import base64
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote_plus

from pymongo import MongoClient
from pymongo.errors import OperationFailure

from common.catalog import principals, service_user
from devstack.credentials import stored_passwords
from devstack.topology import Stack
from provision.mongo_users import ADMIN_USER, ensure_service_users
#: mongod's error codes that ``prepare`` tells apart.
_UNAUTHORIZED, _AUTHENTICATION_FAILED, _NOT_YET_INITIALIZED = 13, 18, 94


class AccessControlError(RuntimeError):
    """The stack's MongoDB users cannot be set up; the message says what to do."""


# --- files in the run dir ------------------------------------------------------------


def keyfile(stack: Stack) -> Path:
    """``<run>/mongo/keyfile``: 756 random bytes in base64, mode 400, made once."""
    path = stack.run_dir / "mongo" / "keyfile"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL with the final mode: the key is never readable by others, not even briefly
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        with os.fdopen(fd, "w") as f:
            f.write(base64.b64encode(secrets.token_bytes(756)).decode())
    return path


def passwords(stack: Stack, create: bool = True) -> dict[str, str]:
    """User name → password for the admin and every service of the topology, from
    ``<run>/mongo/users.json`` (see ``devstack.credentials``); a service new to the
    topology gets its password added. With ``create`` False, only what the file holds."""
    wanted = [ADMIN_USER] + [service_user(name) for name in principals()]
    return stored_passwords(stack.run_dir / "mongo" / "users.json", wanted, create)


def seed_variables(stack: Stack) -> dict[str, str]:
    """``MONGO_PASSWORD_<NAME>`` for each service and worker that ``users.json`` knows:
    the seed's placeholders. Nothing is created here: a stack that never started (or a
    container, which has no run dir) gives them in the environment."""
    known = passwords(stack, create=False)
    return {f"MONGO_PASSWORD_{name.upper()}": known[service_user(name)]
            for name in principals() if service_user(name) in known}


# --- clients -------------------------------------------------------------------------


def mongo_admin_uri(stack: Stack) -> str:
    """A ``mongodb://`` URI of ``stack``'s replica set as ``tessera_admin``, for the
    stack's tooling and the tests (never for a service)."""
    password = quote_plus(passwords(stack)[ADMIN_USER])
    return (f"mongodb://{ADMIN_USER}:{password}@127.0.0.1:{stack.ports['mongo']}/"
            "?replicaSet=tessera&authSource=admin")


def admin_client(stack: Stack, **kwargs) -> MongoClient:
    """A ``MongoClient`` on ``stack`` as ``tessera_admin`` (5 s server selection unless
    ``kwargs`` say otherwise); the caller closes it."""
    kwargs.setdefault("serverSelectionTimeoutMS", 5000)
    return MongoClient(mongo_admin_uri(stack), **kwargs)


def direct_client(stack: Stack, user: str | None = None, timeout_ms: int = 2000) -> MongoClient:
    """A client on the mongod itself (no replica-set discovery, which a node not yet
    initiated cannot answer), as ``user`` or unauthenticated."""
    auth = {} if user is None else {"username": user, "password": passwords(stack)[user], "authSource": "admin"}
    return MongoClient("127.0.0.1", stack.ports["mongo"], directConnection=True,
                       serverSelectionTimeoutMS=timeout_ms, **auth)


# --- set-up at start -----------------------------------------------------------------


def prepare(stack: Stack, timeout: float = 30) -> list[str]:
    """Initiate the replica set and create or update the users; return the users created.

    Waits up to ``timeout`` seconds in all for the mongod to accept connections and
    become PRIMARY (a busy machine starts one slowly). Idempotent. Raises
    AccessControlError when users exist but ``tessera_admin`` cannot log in
    (``users.json`` lost or replaced) or the node does not become PRIMARY in time, and
    pymongo's ServerSelectionTimeoutError when the mongod never answers.
    """
    deadline = time.monotonic() + timeout

    def remaining_ms() -> int:
        # server selection waits for the mongod to listen: give it what is left
        return max(1000, int((deadline - time.monotonic()) * 1000))

    client = direct_client(stack, ADMIN_USER, timeout_ms=remaining_ms())
    try:
        client.admin.command("ping")
        has_admin = True
    except OperationFailure as exc:
        if exc.code != _AUTHENTICATION_FAILED:
            raise
        client.close()
        # No such user yet: the localhost exception is the way in until one exists.
        client = direct_client(stack, timeout_ms=remaining_ms())
        has_admin = False
    try:
        _init_replica_set(client, stack)
        _wait_for_primary(client, deadline)
        created = [] if has_admin else [_create_admin(client, stack)]
    finally:
        client.close()
    admin = direct_client(stack, ADMIN_USER, timeout_ms=remaining_ms())
    try:
        return created + ensure_service_users(admin, passwords(stack))
    finally:
        admin.close()


def _init_replica_set(client: MongoClient, stack: Stack) -> bool:
    """``replSetInitiate`` the one-node set ``tessera`` unless done; True when it ran now."""
    try:
        client.admin.command("replSetGetStatus")
        return False
    except OperationFailure as exc:
        if exc.code != _NOT_YET_INITIALIZED:
            raise
    config = {"_id": "tessera", "members": [{"_id": 0, "host": f"127.0.0.1:{stack.ports['mongo']}"}]}
    client.admin.command("replSetInitiate", config)
    return True


def _wait_for_primary(client: MongoClient, deadline: float) -> None:
    """Users are written on the primary: wait until this node is one."""
    while not client.admin.command("hello").get("isWritablePrimary"):
        if time.monotonic() > deadline:
            raise AccessControlError("mongod did not become PRIMARY")
        time.sleep(0.2)


def _create_admin(client: MongoClient, stack: Stack) -> str:
    try:
        client.admin.command("createUser", ADMIN_USER, pwd=passwords(stack)[ADMIN_USER],
                             roles=[{"role": "root", "db": "admin"}])
    except OperationFailure as exc:
        if exc.code != _UNAUTHORIZED:
            raise
        raise AccessControlError(
            f"MongoDB in {stack.run_dir / 'mongo'} has users, but {ADMIN_USER} cannot log in with the "
            f"password of {stack.run_dir / 'mongo' / 'users.json'}; restore that file or remove the "
            "data dir (stop the stack first)") from exc
    return ADMIN_USER
