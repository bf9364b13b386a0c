"""What is left behind by a crash (orphaned processes, stale pid files, mongod.lock)
does not block the next start."""
from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import time
from pathlib import Path

import pymongo

from devstack import supervisor
from devstack.topology import Stack, get_stack


#: seconds a process of these tests may take to start or stop: generous, as a machine
#: busy with other test runs is slow (a deadline, not a wait: ready means sooner)
BUSY_MACHINE_TIMEOUT = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stack_in(tmp_path: Path, **ports: int) -> Stack:
    """A stack of its own under ``tmp_path``, on free ports: ``orphans`` also finds a
    redis-server by its port, so the test stack's ports would name (and kill_orphans
    would stop) the test stack's own Redis, which the next tests need."""
    base = get_stack("test")
    return dataclasses.replace(base, run_dir=tmp_path / "run",
                               ports={**{name: _free_port() for name in base.ports}, **ports})


def test_orphans_are_found_by_run_dir_and_only_those(tmp_path: Path) -> None:
    stack = _stack_in(tmp_path)
    mine = subprocess.Popen(["sleep", "3600"], env={**os.environ, "TESSERA_RUN_DIR": str(stack.run_dir)})
    other = subprocess.Popen(["sleep", "3600"], env={**os.environ, "TESSERA_RUN_DIR": f"{stack.run_dir}/test"})
    try:
        found = supervisor.orphans(stack)
        assert mine.pid in found
        assert other.pid not in found
        assert supervisor.kill_orphans(stack, timeout=BUSY_MACHINE_TIMEOUT) == found
        assert mine.wait(timeout=BUSY_MACHINE_TIMEOUT) == -15  # SIGTERM first, so databases can shut down cleanly
        assert other.poll() is None
    finally:
        for proc in (mine, other):
            proc.kill()
            proc.wait()


def test_mongod_starts_again_after_kill_9(tmp_path: Path) -> None:
    port = _free_port()
    dbpath = tmp_path / "mongo"
    dbpath.mkdir()
    cmd = [supervisor.mongod_path(), "--bind_ip", "127.0.0.1", "--port", str(port),
           "--dbpath", str(dbpath), "--quiet", "--nounixsocket", "--wiredTigerCacheSizeGB", "0.25"]

    def run_and_write(value: int) -> subprocess.Popen:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
        client = pymongo.MongoClient("127.0.0.1", port, directConnection=True, serverSelectionTimeoutMS=BUSY_MACHINE_TIMEOUT * 1000)
        try:
            client.t.c.replace_one({"_id": 1}, {"_id": 1, "v": value}, upsert=True)
            assert client.t.c.find_one({"_id": 1})["v"] == value
        finally:
            client.close()
        return proc

    first = run_and_write(1)
    first.kill()  # SIGKILL: mongod.lock stays behind, non-empty
    first.wait()
    assert (dbpath / "mongod.lock").stat().st_size > 0
    second = run_and_write(2)
    second.terminate()
    assert second.wait(timeout=BUSY_MACHINE_TIMEOUT) == 0


def test_supervisord_starts_over_a_stale_pid_file(tmp_path: Path) -> None:
    stack = _stack_in(tmp_path, supervisor=_free_port())
    supervisor.write_configs(stack)
    conf = stack.run_dir / "supervisord.conf"
    # Only supervisord itself: keep the [supervisord]/rpc sections, drop the programs.
    conf.write_text(conf.read_text().split("[program:")[0])
    dead = subprocess.Popen(["true"])
    dead.wait()
    (stack.run_dir / "supervisord.pid").write_text(f"{dead.pid}\n")
    supervisor.launch(stack)
    try:
        assert supervisor.is_running(stack)
    finally:
        supervisor.shutdown(stack, timeout=BUSY_MACHINE_TIMEOUT)
    deadline = time.monotonic() + BUSY_MACHINE_TIMEOUT
    while supervisor.is_running(stack) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not supervisor.is_running(stack)
