"""Prometheus metrics of the services and workers (``prometheus_client``).

Every metric of the platform is defined here, once, so that a service, a worker and
the test that scrapes them agree on names and labels. Prometheus adds ``job`` and
``instance`` to each series when it scrapes, so no metric carries the service's name.

Where they are served (never through nginx, which publishes only ``/api/`` and the SPA):

* a gunicorn service runs in prometheus_client's *multiprocess mode*: supervisord (or the
  container) sets ``PROMETHEUS_MULTIPROC_DIR`` before Python starts, each worker process
  writes its values to memory-mapped files there, and the gunicorn master serves the sum
  of every worker's files on ``TESSERA_METRICS_PORT`` (``common.gunicorn_conf``: the
  directory is emptied at start, a dead worker's live files are dropped in ``child_exit``);
* a queue worker (``am``, ``msg``) is one process: ``serve_process_metrics`` starts
  prometheus_client's HTTP server in a daemon thread on ``TESSERA_METRICS_PORT``.

The request path pays one ``perf_counter`` pair, one counter increment and one histogram
observation per request (``instrument_app``); the route label is Flask's URL rule
(``/api/emails/<path:x>`` never explodes into one series per address).
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)

#: prometheus_client's own variable: set means multiprocess mode (before the import)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: the port (and address) the metrics are served on; unset: not served
PORT_ENV = "TESSERA_METRICS_PORT"
ADDR_ENV = "TESSERA_METRICS_ADDR"
DEFAULT_ADDR = "127.0.0.1"

#: seconds; prometheus_client's defaults, which span 5 ms … 10 s, plus 1 ms and 2.5 ms for
#: the fast routes and 30 s for gunicorn's time-out
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
                   7.5, 10.0, 30.0)
#: seconds: argon2id at OWASP's minimum cost takes ~20–60 ms on one core
ARGON2_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0)

# -- HTTP --------------------------------------------------------------------------------
HTTP_REQUESTS = Counter("tessera_http_requests", "HTTP requests answered by a service",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("tessera_http_request_duration_seconds",
                         "Time from the request reaching Flask to its answer leaving it",
                         ["method", "route"], buckets=LATENCY_BUCKETS)
#: the route label of a request that matched no URL rule (404, 405)
UNMATCHED = "unmatched"

# -- authentication -----------------------------------------------------------------------
LOGINS = Counter("tessera_logins", "Login attempts by how they ended",
                 ["method", "outcome"])  # method: password | passkey; outcome: LOGIN_OUTCOMES
LOGIN_OUTCOMES = ("success", "mfa_required", "failed")
SECOND_FACTORS = Counter("tessera_second_factors", "Second steps of a login or re-authentication",
                         ["method", "outcome"])  # method: totp | webauthn | recovery_code
ARGON2_SECONDS = Histogram("tessera_argon2_seconds", "Time of one argon2id hash or verify",
                           ["operation"], buckets=ARGON2_BUCKETS)  # operation: hash | verify

# -- workers --------------------------------------------------------------------------------
QUEUE_JOBS = Counter("tessera_queue_jobs", "Messages a worker settled, by how",
                     ["queue", "outcome"])  # outcome: JOB_OUTCOMES
JOB_OUTCOMES = ("done", "refused", "retried", "dead_lettered")
AM_SYNC_SECONDS = Histogram("tessera_am_sync_seconds", "Time the attribute manager took for one request",
                            ["op", "outcome"], buckets=LATENCY_BUCKETS)  # outcome: ok | refused | failed
MESSAGES_SENT = Counter("tessera_messages_sent", "Mails and SMS the provider accepted",
                        ["channel", "template"])  # channel: mail | sms


@contextmanager
def timed(histogram: Histogram, **labels: str) -> Iterator[None]:
    """Observe the block's wall time in seconds on ``histogram`` with ``labels``,
    whether it returns or raises."""
    start = time.perf_counter()
    try:
        yield
    finally:
        histogram.labels(**labels).observe(time.perf_counter() - start)


@contextmanager
def counted_failure(counter: Counter, failures: type[BaseException] | tuple[type[BaseException], ...],
                    **labels: str) -> Iterator[None]:
    """Run the block; when it raises one of ``failures`` count ``outcome="failed"`` with
    ``labels`` on ``counter`` and re-raise unchanged."""
    try:
        yield
    except failures:
        counter.labels(outcome="failed", **labels).inc()
        raise


def instrument_app(app: Any) -> None:
    """Count and time every request of the Flask ``app`` by method, URL rule and status.

    A WSGI wrapper around ``app.wsgi_app`` takes the time and the status from gunicorn's
    side of Flask, so errors answered by handlers and 500s count too; the rule comes from
    the request context (``request.url_rule``), copied into the WSGI environ by an
    ``after_request`` hook, because the context is gone when the wrapper sees the answer.
    """
    from flask import request

    @app.after_request
    def _route(response):  # runs for handled errors too (Flask's finalize_request)
        rule = request.url_rule
        if rule is not None:
            request.environ["tessera.route"] = rule.rule
        return response

    inner = app.wsgi_app
    perf_counter = time.perf_counter
    # The labelled children, by their labels: ``labels()`` validates and joins the
    # values and takes the metric's lock on every call (issue 15). The keys are few
    # (methods × URL rules × statuses), as the series are.
    counters: dict[tuple[str, str, str], Any] = {}
    timers: dict[tuple[str, str], Any] = {}

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start = perf_counter()
        status: list[str] = []

        def recording_start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status[:] = [status_line[:3]]
            return start_response(status_line, headers, exc_info)

        try:
            return inner(environ, recording_start_response)
        finally:
            method, route = environ.get("REQUEST_METHOD", ""), environ.get("tessera.route", UNMATCHED)
            key = (method, route, status[0] if status else "500")
            counter = counters.get(key)
            if counter is None:
                counter = counters.setdefault(key, HTTP_REQUESTS.labels(*key))
            timer = timers.get(key[:2])
            if timer is None:
                timer = timers.setdefault(key[:2], HTTP_LATENCY.labels(method, route))
            counter.inc()
            timer.observe(perf_counter() - start)

    app.wsgi_app = wsgi_app


# -- serving -----------------------------------------------------------------------------------
def metrics_port() -> int | None:
    """``TESSERA_METRICS_PORT`` as a number, or None when unset or empty."""
    value = os.environ.get(PORT_ENV, "").strip()
    return int(value) if value else None


def metrics_addr() -> str:
    """The address to serve metrics on: ``TESSERA_METRICS_ADDR``, else 127.0.0.1 (a
    container sets 0.0.0.0: its network is the boundary)."""
    return os.environ.get(ADDR_ENV) or DEFAULT_ADDR


def reset_multiprocess_dir() -> Path | None:
    """Empty (create) ``PROMETHEUS_MULTIPROC_DIR``, as prometheus_client requires before
    the processes that write there start; None when multiprocess mode is off."""
    directory = os.environ.get(MULTIPROC_ENV)
    if not directory:
        return None
    path = Path(directory)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def serve_multiprocess(port: int, addr: str | None = None):
    """Serve the sum of every process's files in ``PROMETHEUS_MULTIPROC_DIR`` on
    ``addr:port`` from a daemon thread (the gunicorn master); returns ``(server, thread)``.

    The registry holds only the MultiProcessCollector (prometheus_client's multiprocess
    docs: a registry that also had the metrics themselves would export them twice)."""
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return start_http_server(port, addr=addr or metrics_addr(), registry=registry)


def serve_process_metrics() -> None:
    """Serve this process's metrics (a queue worker: the default registry, with the
    process and platform collectors) on ``TESSERA_METRICS_PORT`` when it is set."""
    port = metrics_port()
    if port is None:
        return
    from prometheus_client import start_http_server

    start_http_server(port, addr=metrics_addr())
    logger.info("metrics on %s:%s", metrics_addr(), port)


def mark_process_dead(pid: int) -> None:
    """Drop the live-gauge files of a gunicorn worker that exited (multiprocess mode)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
