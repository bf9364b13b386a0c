"""Metrics (issue 15): known traffic through nginx, then each program's own metrics
endpoint (``common.metrics``, not published by nginx) counts exactly that, and the
stack's Prometheus scrapes every service and worker instance.

Counters are cumulative since a program started, so every check is a difference
between a scrape before and one after the traffic (this stack runs one test at a
time). A scrape is polled until it shows the expected difference or a deadline
passes — the worker counts a mail a moment after the sink has it — never slept on.
"""
from __future__ import annotations

import time
import urllib.request
import uuid
from typing import Callable

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from devstack.topology import SERVICES, WORKERS, Stack
from tests.helpers import HttpClient, Outbox, service_amqp

Samples = dict[tuple[str, frozenset], float]


def scrape(port: int) -> Samples:
    """Every sample of the metrics endpoint on ``port``: (name, labels) → value."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (sample, sample_labels), value in samples.items()
               if sample == name and wanted <= sample_labels)


def scrape_all(stack: Stack, name: str) -> Samples:
    """The samples of every instance of service or worker ``name``, summed by series."""
    merged: Samples = {}
    for program in stack.instances(name):
        for key, value in scrape(stack.metrics_port(program)).items():
            merged[key] = merged.get(key, 0.0) + value
    return merged


def wait_for_increase(stack: Stack, name: str, before: Samples, metric: str, expected: float,
                      timeout: float = 30.0, **labels: str) -> float:
    """Poll ``name``'s metrics until ``metric`` (with ``labels``) has grown by ``expected``
    since ``before``; return the growth seen last (the caller asserts it)."""
    deadline = time.monotonic() + timeout
    while True:
        grown = total(scrape_all(stack, name), metric, **labels) - total(before, metric, **labels)
        if grown >= expected or time.monotonic() > deadline:
            return grown
        time.sleep(0.1)


@pytest.fixture
def web(stack: Stack):
    clients: list[HttpClient] = []

    def factory() -> HttpClient:
        clients.append(HttpClient(stack.base_url))
        return clients[-1]

    yield factory
    for client in clients:
        client.close()


def test_logins_requests_argon2_and_am_syncs_are_counted(stack: Stack, new_user, web: Callable[[], HttpClient]):
    users = [new_user(), new_user()]
    authn_before, am_before = scrape_all(stack, "authn"), scrape_all(stack, "am")
    pd_before = scrape_all(stack, "personal_data")

    for n in range(3):  # unknown addresses: no account's failure limit is near
        r = web().post("/api/authn/login", {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.org",
                                            "password": f"wrong password {n}"})
        assert r.status == 401, r
    clients = []
    for user in users:
        client = web()
        r = client.post("/api/authn/login", {"email": user.email, "password": user.password})
        assert r.status == 200, r
        clients.append(client)
    r = clients[0].post("/api/personal-data/user", {"given_name": "Ada", "surname": "Byron", "language": "sv"})
    assert r.status == 200, r

    authn = scrape_all(stack, "authn")

    def grown(metric: str, samples: Samples = authn, before: Samples = authn_before, **labels: str) -> float:
        return total(samples, metric, **labels) - total(before, metric, **labels)

    assert grown("tessera_logins_total", method="password", outcome="failed") == 3
    assert grown("tessera_logins_total", method="password", outcome="success") == 2
    assert grown("tessera_logins_total", method="password", outcome="mfa_required") == 0
    login_route = {"method": "POST", "route": "/api/authn/login"}
    assert grown("tessera_http_requests_total", **login_route, status="401") == 3
    assert grown("tessera_http_requests_total", **login_route, status="200") == 2
    assert grown("tessera_http_request_duration_seconds_count", **login_route) == 5
    # every login verifies one argon2id hash (a dummy one for an unknown address), and
    # each takes a measurable time
    assert grown("tessera_argon2_seconds_count", operation="verify") == 5
    assert grown("tessera_argon2_seconds_sum", operation="verify") > 0

    personal_data = scrape_all(stack, "personal_data")
    assert grown("tessera_http_requests_total", personal_data, pd_before,
                 method="POST", route="/api/personal-data/user", status="200") == 1
    # the write is one RPC to the attribute managers, which answered before the 200
    am_grown = wait_for_increase(stack, "am", am_before, "tessera_am_sync_seconds_count", 1, op="sync",
                                 outcome="ok")
    assert am_grown >= 1
    assert wait_for_increase(stack, "am", am_before, "tessera_queue_jobs_total", am_grown,
                             queue="am.sync", outcome="done") >= am_grown


def test_a_route_is_labelled_by_its_rule_not_its_path(stack: Stack, web: Callable[[], HttpClient]):
    before = scrape_all(stack, "jsconfig")
    client = web()
    assert client.get("/api/jsconfig/config").status == 200
    assert client.get(f"/api/jsconfig/no-such-{uuid.uuid4().hex}").status == 404
    after = scrape_all(stack, "jsconfig")
    routes = {dict(labels).get("route") for (name, labels) in after if name == "tessera_http_requests_total"}
    assert "/api/jsconfig/config" in routes
    assert not any(route and "no-such" in route for route in routes)  # no series per raw path
    grown = (total(after, "tessera_http_requests_total", route="unmatched", status="404")
             - total(before, "tessera_http_requests_total", route="unmatched", status="404"))
    assert grown == 1


def test_a_mail_job_is_counted_done_and_sent(stack: Stack):
    before = scrape_all(stack, "msg")
    address = f"metrics-{uuid.uuid4().hex[:12]}@example.org"
    publisher = service_amqp(stack, "signup")
    try:
        publisher.publish("msg.mail", {"template": "email_code", "to": address, "language": "en",
                                       "context": {"code": "123456", "ttl_minutes": 10}})
    finally:
        publisher.close()
    Outbox(stack).wait_for_mail(address)
    assert wait_for_increase(stack, "msg", before, "tessera_messages_sent_total", 1,
                             channel="mail", template="email_code") == 1
    assert wait_for_increase(stack, "msg", before, "tessera_queue_jobs_total", 1,
                             queue="msg.mail", outcome="done") == 1
    after = scrape_all(stack, "msg")
    for outcome in ("retried", "dead_lettered", "refused"):
        assert total(after, "tessera_queue_jobs_total", queue="msg.mail", outcome=outcome) == \
            total(before, "tessera_queue_jobs_total", queue="msg.mail", outcome=outcome)


def test_a_malformed_job_is_counted_refused(stack: Stack):
    before = scrape_all(stack, "msg")
    publisher = service_amqp(stack, "signup")
    try:  # a job no schema accepts, published past the publisher's own validation
        publisher.publish("msg.mail", {"template": "email_code", "to": "not an address", "context": {}})
    finally:
        publisher.close()
    assert wait_for_increase(stack, "msg", before, "tessera_queue_jobs_total", 1,
                             queue="msg.mail", outcome="refused") == 1


def test_the_metrics_are_not_published_by_nginx(stack: Stack):
    for path in ("/metrics", "/api/authn/metrics", "/api/personal-data/metrics"):
        r = requests.get(stack.base_url + path, timeout=10)
        assert "tessera_http_requests_total" not in r.text, path


def test_prometheus_scrapes_every_service_and_worker_instance(stack: Stack):
    expected = {program for service in SERVICES for program in stack.instances(service.name)}
    expected |= {program for worker in WORKERS for program in stack.instances(worker)}
    deadline = time.monotonic() + 60
    while True:
        answer = requests.get(f"{stack.prometheus_url}/api/v1/targets", timeout=10).json()
        targets = answer["data"]["activeTargets"]
        health = {t["labels"].get("program", t["labels"]["job"]): t["health"] for t in targets}
        if (expected <= set(health) and all(state == "up" for state in health.values())) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert answer["status"] == "success"
    assert expected <= set(health), f"not scraped: {sorted(expected - set(health))}"
    assert {program: state for program, state in health.items() if state != "up"} == {}
    assert health["prometheus"] == "up"
