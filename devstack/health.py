"""Health checks of a stack's programs: a real request to each, not only an open port.

Each check returns None when healthy, else a short reason. They are quick (≤ 1-2 s
timeouts) so that ``status`` stays fast when something is down.
"""
from __future__ import annotations

import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Callable

from devstack.topology import SERVICES, Stack, service_of

Check = Callable[[Stack], "str | None"]


def _tcp(port: int, timeout: float = 0.5) -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return None
    except OSError as exc:
        return f"127.0.0.1:{port}: {exc.strerror or exc}"


def _http(url: str, timeout: float = 2.0) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return None if response.status == 200 else f"{url}: HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url}: HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return f"{url}: {getattr(exc, 'reason', exc)}"


def check_epmd(stack: Stack) -> str | None:
    return _tcp(stack.ports["epmd"])


def check_mongo(stack: Stack) -> str | None:
    """mongod answers, the admin logs in, and it is the PRIMARY of its one-node replica set."""
    import pymongo

    from devstack.mongo_access import ADMIN_USER, direct_client

    port = stack.ports["mongo"]
    if (reason := _tcp(port)) is not None:
        return reason
    client = direct_client(stack, ADMIN_USER, timeout_ms=1000)
    try:
        if client.admin.command("hello").get("isWritablePrimary"):
            return None
        return "not PRIMARY (yet)"
    except pymongo.errors.PyMongoError as exc:
        return f"mongo: {exc}"
    finally:
        client.close()


def check_redis(stack: Stack) -> str | None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=stack.ports["redis"], socket_timeout=1, socket_connect_timeout=1)
    try:
        return None if client.ping() else "no PONG"
    except redis.RedisError as exc:
        return f"redis: {exc}"
    finally:
        client.close()


def check_rabbitmq(stack: Stack) -> str | None:
    """An AMQP connection as guest succeeds (the listener opens once the node booted)."""
    import pika

    port = stack.ports["amqp"]
    if (reason := _tcp(port)) is not None:
        return reason
    params = pika.ConnectionParameters(
        "127.0.0.1", port, connection_attempts=1, socket_timeout=2, blocked_connection_timeout=2
    )
    # pika logs a failed attempt at ERROR; a check that fails is reported by us.
    pika_log = logging.getLogger("pika")
    level = pika_log.level
    pika_log.setLevel(logging.CRITICAL)
    try:
        pika.BlockingConnection(params).close()
        return None
    except pika.exceptions.AMQPError as exc:
        return f"amqp: {exc!r}"
    finally:
        pika_log.setLevel(level)


def check_etcd(stack: Stack) -> str | None:
    return _http(f"http://127.0.0.1:{stack.ports['etcd']}/version")


def check_smtp(stack: Stack) -> str | None:
    """The sink greets with 220."""
    port = stack.ports["smtp"]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.settimeout(1)
            greeting = sock.recv(256)
            sock.sendall(b"QUIT\r\n")
        return None if greeting.startswith(b"220") else f"smtp greeting {greeting[:40]!r}"
    except OSError as exc:
        return f"127.0.0.1:{port}: {exc}"


def check_nginx(stack: Stack) -> str | None:
    return _http(f"{stack.base_url}/")


def check_demo_rp(stack: Stack) -> str | None:
    """The demo relying party's home page answers 200 (it needs no other program)."""
    return _http(f"{stack.demo_rp_url}/")


def check_prometheus(stack: Stack) -> str | None:
    """Prometheus answers ready (``/-/ready``: its storage is open, it scrapes)."""
    return _http(f"{stack.prometheus_url}/-/ready")


def service_check(program: str) -> Check:
    """The check of one instance of an HTTP service (``jsconfig``, ``personal_data-2``):
    its ``/api/<url_name>/status/healthy`` answers 200 on the instance's own port."""
    service = next(s for s in SERVICES if s.name == service_of(program))

    def check(stack: Stack) -> str | None:
        port = stack.instance_port(program)
        return _http(f"http://127.0.0.1:{port}/api/{service.url_name}/status/healthy")

    return check


INFRA_CHECKS: dict[str, Check] = {
    "epmd": check_epmd,
    "mongo": check_mongo,
    "redis": check_redis,
    "etcd": check_etcd,
    "smtp": check_smtp,
    "rabbitmq": check_rabbitmq,
    "nginx": check_nginx,
    "demo-rp": check_demo_rp,
    "prometheus": check_prometheus,
}
