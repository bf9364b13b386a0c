"""The fast layer: pure logic, no stack. ``make test-unit`` runs this directory alone, in
seconds; ``make test`` runs it with everything else.

Two rules keep it fast and independent of any running service, enforced here rather
than by review:

* no test here may use the ``stack`` fixture (directly or through another fixture):
  collection fails, naming the test — move it next to the code it tests instead;
* no test here may open a network connection (MongoDB, Redis, RabbitMQ, etcd, nginx):
  ``socket.connect`` raises, naming the address. A child process (``subprocess``) is
  not affected.
"""
from __future__ import annotations

import socket
from pathlib import Path
from typing import Iterator

import pytest

UNIT_DIR = Path(__file__).resolve().parent


def _in_unit_layer(item: pytest.Item) -> bool:
    return Path(str(item.path)).resolve().is_relative_to(UNIT_DIR)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a unit test that would start or use the test stack."""
    offending = [item.nodeid for item in items
                 if _in_unit_layer(item) and "stack" in getattr(item, "fixturenames", ())]
    if offending:
        raise pytest.UsageError("tests/unit needs no stack, but these use the `stack` fixture "
                                f"(move them out of tests/unit): {', '.join(offending)}")


class NetworkUsed(RuntimeError):
    """A unit test tried to connect somewhere."""


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make every ``connect`` in this process fail for the test's duration."""
    def refuse(_sock: socket.socket, address: object) -> None:
        raise NetworkUsed(f"a unit test connected to {address!r}: tests/unit is for logic "
                          "that needs no backing service")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield
