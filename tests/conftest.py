"""Test fixtures, after flaskr's conftest: real services started once per session,
data wiped before every test.

The session starts the test stack (``.run/test/``, ports +1000; ``TESSERA_STACK=test-N``
picks another one) with ``devstack.manager`` — real MongoDB (replica set), Redis,
RabbitMQ, etcd, the SMTP sink, every service under gunicorn, the workers and nginx —
unless it is already healthy, and stops it at the end unless ``TESSERA_KEEP_STACK=1``
or it was running before.
"""
from __future__ import annotations

import importlib
import os
from typing import Any, Callable, Iterator

import pytest
from flask import Flask

from devstack.topology import Stack, get_stack, is_test_stack

if not is_test_stack(os.environ.get("TESSERA_STACK", "")):
    os.environ["TESSERA_STACK"] = "test"
STACK = get_stack()
os.environ["TESSERA_ETCD"] = STACK.etcd_address

from tests.helpers import ApiClient, HttpClient, Outbox, wipe_data  # noqa: E402

#: fixtures shared by several packages: make_user/new_user (accounts), signed_in/mongo
pytest_plugins = ["tests.users", "tests.contacts"]


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The running test stack (started here when it is not already up)."""
    from devstack import manager

    was_running = manager.is_healthy(STACK)
    if not was_running:
        manager.start(STACK)
    yield STACK
    if not was_running and os.environ.get("TESSERA_KEEP_STACK") != "1":
        manager.stop(STACK)


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    """Wipe every ``tessera_*`` database and Redis before each test that uses the stack."""
    if "stack" in request.fixturenames:
        wipe_data(request.getfixturevalue("stack"))


@pytest.fixture(scope="session", autouse=True)
def _close_clients() -> Iterator[None]:
    """Close the process-wide MongoDB clients at the end (no ResourceWarning)."""
    yield
    from common import db

    db.close_clients()


@pytest.fixture
def make_app(stack: Stack) -> Callable[..., Flask]:
    """``make_app("emails", am_sync_timeout=1.0)`` → that service's Flask app, built by its
    own ``create_app`` from the real etcd, with config ``overrides`` applied."""
    apps: list[Flask] = []

    def factory(service: str, **overrides: Any) -> Flask:
        module = importlib.import_module(f"services.{service}.app")
        app = module.create_app(overrides=overrides or None)
        app.config["TESTING"] = True
        apps.append(app)
        return app

    yield factory
    for app in apps:
        amqp_client = app.extensions.get("tessera.amqp")
        if amqp_client is not None:
            amqp_client.close()
        # Closed here, not by the garbage collector: a pool collected in a reference cycle
        # may finalize its sockets first, an unraisable ResourceWarning (an error here).
        redis_client = app.extensions.get("tessera.redis")
        if redis_client is not None:
            redis_client.close()


@pytest.fixture
def api(make_app: Callable[..., Flask]) -> Callable[..., ApiClient]:
    """``api("emails")`` → an ApiClient (CSRF handled) on an in-process app of that service."""
    def factory(service: str, **overrides: Any) -> ApiClient:
        return ApiClient(make_app(service, **overrides).test_client())
    return factory


@pytest.fixture
def http(stack: Stack) -> Iterator[HttpClient]:
    """A browser-like client (cookies, CSRF header) on the stack's nginx."""
    client = HttpClient(stack.base_url)
    yield client
    client.close()


@pytest.fixture
def outbox(stack: Stack) -> Outbox:
    """The development outbox of the test stack: mail (Maildir) and SMS (JSON lines)."""
    return Outbox(stack)
