"""What provisioning grants, without a broker or a database: the MongoDB roles, the
RabbitMQ permissions and definitions, and what the container jobs refuse. The
servers' own enforcement is tested on the stack (tests/devstack/test_mongo_access.py,
test_rabbitmq_access.py)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from common import catalog
from common.queues import WORK_QUEUES
from provision import mongo_users, rabbitmq_definitions, seed
from provision.rabbitmq_definitions import definitions, password_hash, permissions_for


def _readable(name: str, queue: str) -> bool:
    return re.fullmatch(permissions_for(name)["read"], queue) is not None


def test_an_http_service_writes_its_own_database_and_only_reads_the_central_one() -> None:
    for name in catalog.SERVICES:
        assert mongo_users.roles_for(name)[:3] == [{"role": "readWrite", "db": f"tessera_{name}"},
                                                   {"role": "read", "db": catalog.CENTRAL_DB},
                                                   {"role": mongo_users.EVENTS_APPEND_ROLE, "db": "admin"}]
        extra = mongo_users.roles_for(name)[3:]
        # security alone reads more (the export and the event log), and only reads; the
        # services that log people in, and security, which forgets them, keep known devices
        devices = [{"role": "readWrite", "db": catalog.DEVICES_DB}] if name in ("authn", "signup", "security") else []
        assert extra == ([] if name != "security" else
                         [{"role": "read", "db": db} for db in catalog.USER_DATA_DATABASES
                          if db not in ("tessera_security", catalog.DEVICES_DB)]) + devices


def test_the_event_log_role_only_inserts() -> None:
    assert mongo_users.EVENTS_APPEND_PRIVILEGES == [
        {"resource": {"db": catalog.EVENTS_DB, "collection": catalog.EVENTS_COLLECTION}, "actions": ["insert"]}]


def test_only_the_am_writes_the_central_database_and_msg_sees_no_user() -> None:
    writers = {name for name in catalog.principals()
               if {"role": "readWrite", "db": catalog.CENTRAL_DB} in mongo_users.roles_for(name)}
    assert writers == {"am"}
    assert {r["db"] for r in mongo_users.roles_for("am")} == {catalog.CENTRAL_DB, *catalog.USER_DATA_DATABASES}
    assert mongo_users.roles_for("msg") == [{"role": "readWrite", "db": "tessera_msg"}]


def test_nobody_configures_and_each_worker_reads_only_its_own_queues() -> None:
    assert {permissions_for(name)["configure"] for name in catalog.principals()} == {"^$"}
    readers = {queue: {name for name in catalog.principals() if _readable(name, queue)}
               for queue in WORK_QUEUES}
    assert readers == {"am.sync": {"am"}, "msg.mail": {"msg"}, "msg.sms": {"msg"}}
    # not the dead letters (kept for a human) nor the retry queues
    assert not any(_readable(name, f"{queue}{suffix}") for name in catalog.principals()
                   for queue in WORK_QUEUES for suffix in (".dead", ".retry"))
    assert permissions_for("jsconfig") == {"configure": "^$", "write": "^$", "read": "^$"}


def test_the_password_hash_is_rabbitmqs_salted_sha256() -> None:
    raw = base64.b64decode(password_hash("s3cret"))
    salt, digest = raw[:4], raw[4:]
    assert digest == hashlib.sha256(salt + b"s3cret").digest()
    assert password_hash("s3cret") != password_hash("s3cret")  # a new salt each time


def test_the_definitions_name_every_principal_and_declare_every_work_queue() -> None:
    passwords = {name: f"pw-{name}" for name in catalog.principals()}
    document = definitions(passwords, kind="quorum")
    assert {u["name"] for u in document["users"]} == {catalog.service_user(n) for n in catalog.principals()}
    assert "pw-" not in json.dumps(document)
    names = {q["name"] for q in document["queues"]}
    assert names == {f"{q}{suffix}" for q in WORK_QUEUES for suffix in ("", ".retry", ".dead")}
    assert {q["arguments"]["x-queue-type"] for q in document["queues"]} == {"quorum"}


def test_the_rabbitmq_job_names_a_missing_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    for name in catalog.principals():
        monkeypatch.setenv(f"AMQP_PASSWORD_{name.upper()}", f"pw-{name}")
    monkeypatch.delenv("AMQP_PASSWORD_MSG")
    target = tmp_path / "definitions.json"
    assert rabbitmq_definitions.main([str(target)]) == 1
    assert "AMQP_PASSWORD_MSG" in capsys.readouterr().err
    assert not target.exists()
    monkeypatch.setenv("AMQP_PASSWORD_MSG", "pw-msg")
    assert rabbitmq_definitions.main([str(target)]) == 0
    assert target.stat().st_mode & 0o777 == 0o644  # the broker's own user reads it
    assert rabbitmq_definitions.main([]) == 2


def test_the_mongo_job_names_what_is_missing_before_connecting(monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name in catalog.principals():
        monkeypatch.setenv(f"MONGO_PASSWORD_{name.upper()}", f"pw-{name}")
    monkeypatch.delenv("MONGO_PASSWORD_SIGNUP")
    monkeypatch.delenv("MONGO_ADMIN_URI", raising=False)
    assert mongo_users.main() == 1
    err = capsys.readouterr().err
    assert "MONGO_ADMIN_URI" in err and "MONGO_PASSWORD_SIGNUP" in err


def test_the_seed_check_names_a_placeholder_without_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    # Containers give every placeholder in the environment; one missing stops the job
    # before anything is written, naming it.
    (tmp_path / "common.json").write_text(json.dumps({"mongo_uri": "mongodb://${MONGO_HOST}:27017/"}))
    monkeypatch.delenv("MONGO_HOST", raising=False)
    assert seed.main(["--check", "--dir", str(tmp_path)]) == 1
    assert "${MONGO_HOST}" in capsys.readouterr().err
