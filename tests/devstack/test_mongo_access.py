"""MongoDB enforces least privilege: each service logs in as its own user and may write
its own database only; the attribute manager alone writes the central one."""
from __future__ import annotations

import dataclasses
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from common.db import SERVICE_DATABASES
from devstack import mongo_access, supervisor
from devstack.topology import SERVICES, WORKERS, Stack, get_stack

UNAUTHORIZED = 13


@pytest.fixture
def login(stack: Stack) -> Iterator:
    """``login("emails")`` → a client as ``svc_emails``; ``login(None)`` → no credentials."""
    clients: list[MongoClient] = []

    def factory(name: str | None) -> MongoClient:
        auth = {}
        if name is not None:
            user = mongo_access.service_user(name)
            auth = {"username": user, "password": mongo_access.passwords(stack)[user], "authSource": "admin"}
        client = MongoClient(f"mongodb://127.0.0.1:{stack.ports['mongo']}/?replicaSet=tessera",
                             serverSelectionTimeoutMS=READY_TIMEOUT * 1000, **auth)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


def _refused(action) -> None:
    with pytest.raises(OperationFailure) as raised:
        action()
    assert raised.value.code == UNAUTHORIZED


def _doc() -> dict:
    return {"_id": uuid.uuid4().hex}


def test_without_credentials_nothing_can_be_read_or_written(login):
    anonymous = login(None)
    _refused(lambda: anonymous.tessera_central.users.find_one())
    _refused(lambda: anonymous.tessera_emails.users.find_one())
    _refused(lambda: anonymous.tessera_emails.users.insert_one(_doc()))
    _refused(lambda: anonymous.list_database_names())


def test_a_service_writes_its_own_database_and_only_reads_the_central_one(login):
    emails = login("emails")
    emails.tessera_emails.users.insert_one(_doc())
    assert emails.tessera_central.users.find_one({"_id": "nobody"}) is None
    _refused(lambda: emails.tessera_central.users.insert_one(_doc()))
    _refused(lambda: emails.tessera_central.users.delete_many({}))
    _refused(lambda: emails.tessera_signup.users.insert_one(_doc()))
    _refused(lambda: emails.tessera_signup.users.find_one())


def test_the_am_writes_the_central_database_and_purges_every_service_database(login):
    am = login("am")
    document = _doc()
    am.tessera_central.users.insert_one(document)
    assert am.tessera_central.users.find_one(document) == document
    for name in SERVICE_DATABASES:
        am[name].users.insert_one(document)
        assert am[name].users.delete_many({"_id": document["_id"]}).deleted_count == 1
    _refused(lambda: am.admin.command("usersInfo", "svc_emails"))


def test_msg_keeps_its_ledger_and_sees_no_user(login):
    msg = login("msg")
    msg.tessera_msg.sent.insert_one(_doc())
    _refused(lambda: msg.tessera_central.users.find_one())
    _refused(lambda: msg.tessera_emails.users.find_one())


def test_an_app_connects_as_its_own_user(make_app):
    # past the ReadOnlyDatabase wrapper, straight to the app's client: the server refuses
    client = make_app("emails").extensions["tessera.mongo"].client
    client.tessera_emails.users.insert_one(_doc())
    _refused(lambda: client.tessera_central.users.insert_one(_doc()))


# --- a data dir from before access control -------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mongod(stack: Stack, *extra: str) -> subprocess.Popen:
    dbpath = stack.run_dir / "mongo"
    return subprocess.Popen(
        [supervisor.mongod_path(), "--replSet", "tessera", "--bind_ip", "127.0.0.1",
         "--port", str(stack.ports["mongo"]), "--dbpath", str(dbpath), "--quiet", "--nounixsocket",
         "--wiredTigerCacheSizeGB", "0.25", *extra],
        stdout=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    assert proc.wait(timeout=READY_TIMEOUT) == 0


#: how long a mongod of these tests may take to accept connections or to stop: generous,
#: as a machine busy with other test runs starts one in far more than the usual second
READY_TIMEOUT = 180


def _private_stack(tmp_path: Path) -> Stack:
    """A stack whose mongod is this test's own: a fresh run dir and a free port."""
    base = get_stack("test")
    stack = dataclasses.replace(base, run_dir=tmp_path / "run", ports={**base.ports, "mongo": _free_port()})
    (stack.run_dir / "mongo").mkdir(parents=True)
    return stack


def test_prepare_waits_for_a_mongod_that_is_slow_to_start(tmp_path: Path):
    # Issue 10: on a busy machine mongod accepted no connection within prepare's fixed
    # 2 s, and the start failed. prepare waits up to its own timeout.
    stack = _private_stack(tmp_path)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["created"] = mongo_access.prepare(stack, timeout=READY_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 (handed to the test's thread)
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    # A slow boot, simulated: no mongod yet while prepare starts (this delay stands for
    # the machine, it waits for nothing).
    time.sleep(3)
    proc = _mongod(stack, "--keyFile", str(mongo_access.keyfile(stack)))
    try:
        thread.join(READY_TIMEOUT)
        assert not thread.is_alive(), "prepare did not return"
        assert "error" not in outcome, repr(outcome.get("error"))
        assert outcome["created"][0] == mongo_access.ADMIN_USER
    finally:
        _stop(proc)


def test_a_data_dir_from_before_access_control_gets_its_users(tmp_path: Path):
    stack = _private_stack(tmp_path)
    old = _mongod(stack)  # as before: a replica set without access control, with data
    try:
        open_client = mongo_access.direct_client(stack, timeout_ms=READY_TIMEOUT * 1000)
        try:
            open_client.admin.command("replSetInitiate", {
                "_id": "tessera", "members": [{"_id": 0, "host": f"127.0.0.1:{stack.ports['mongo']}"}]})
            mongo_access._wait_for_primary(open_client, deadline=float("inf"))
            open_client.tessera_central.users.insert_one({"_id": "kept"})
        finally:
            open_client.close()
    finally:
        _stop(old)

    new = _mongod(stack, "--keyFile", str(mongo_access.keyfile(stack)))
    try:
        first = mongo_access.prepare(stack, timeout=READY_TIMEOUT)
        assert first == [mongo_access.ADMIN_USER] + [
            mongo_access.service_user(name) for name in (*(s.name for s in SERVICES), *WORKERS)]
        assert mongo_access.prepare(stack) == []  # idempotent
        admin = mongo_access.direct_client(stack, mongo_access.ADMIN_USER)
        try:
            assert admin.tessera_central.users.find_one({"_id": "kept"}) == {"_id": "kept"}
        finally:
            admin.close()
    finally:
        _stop(new)
