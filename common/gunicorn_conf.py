"""gunicorn's server hooks for the services' metrics (and ``pre_fork``'s ``gc.freeze``
for ``--preload``): ``gunicorn -c python:common.gunicorn_conf``.

Only hooks live here; every other setting stays on the command line (devstack) or in
``GUNICORN_CMD_ARGS`` (the Dockerfile). gunicorn reads every global of this module
whose name is a setting, so imports carry an underscore.

The protocol is prometheus_client's multiprocess mode (its docs, "Multiprocess Mode"):
``PROMETHEUS_MULTIPROC_DIR`` is set in the environment before Python starts (supervisord,
the container), the directory is emptied before the workers fork (``on_starting``), a
worker that exits hands back its live files (``child_exit``), and one process serves
the sum: the master, on ``TESSERA_METRICS_PORT``, from a thread started in
``when_ready`` — a port of its own, which nginx does not proxy.
"""
from __future__ import annotations

import gc as _gc
from typing import Any

from common import metrics as _metrics


def on_starting(server: Any) -> None:
    """Before anything forks: an empty multiprocess directory (stale files of an earlier
    run would be summed in)."""
    path = _metrics.reset_multiprocess_dir()
    if path is not None:
        server.log.info("prometheus multiprocess directory %s emptied", path)


def when_ready(server: Any) -> None:
    """The master serves the workers' summed metrics on ``TESSERA_METRICS_PORT``."""
    port = _metrics.metrics_port()
    if port is None:
        return
    http_server, _thread = _metrics.serve_multiprocess(port)
    server.tessera_metrics_server = http_server
    server.log.info("metrics on http://%s:%s/metrics", _metrics.metrics_addr(), port)


def pre_fork(server: Any, worker: Any) -> None:
    """Right before a worker forks from a master that loaded the app (``--preload``):
    ``gc.freeze()`` the master's objects, so that no collection in a worker writes to
    their pages and the copy-on-write sharing of the app holds (issue 15; Python docs,
    ``gc.freeze``: "call gc.freeze() right before fork()")."""
    if server.cfg.preload_app:
        _gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    """A worker closes its inherited copy of the master's metrics socket (the master's
    thread does not exist in the child; the listening socket would only leak)."""
    http_server = getattr(server, "tessera_metrics_server", None)
    if http_server is not None:
        http_server.socket.close()


def child_exit(server: Any, worker: Any) -> None:
    """A worker exited: drop its live-gauge files (prometheus_client's multiprocess docs)."""
    _metrics.mark_process_dead(worker.pid)
