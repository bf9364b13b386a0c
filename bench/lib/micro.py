"""In-process microbenchmark of one service's request path (issue 15):
``TESSERA_STACK=test-N python -m bench.lib.micro [--service personal_data]
[--path /api/personal-data/user] [-n 3000] [--profile]``.

The service's Flask app is built in this process from the stack's etcd (as gunicorn's
``--preload`` master builds it), one account signs up and logs in through nginx, and
``-n`` requests ``GET <path>`` with its session cookie go straight through the WSGI app
(``app(environ, start_response)``, the body read to the end) against the stack's real
Redis and MongoDB. It prints the CPU µs per request of this process (``process_time``:
user + system, so the other processes of a busy machine do not count) and the wall µs,
the best and the median of ``--repeat`` batches, beside the bare hello app
(``bench.lib.hello``) run the same way. ``--profile`` adds cProfile's top functions.

Not a figure of the bench (``bench/request_path.py`` is): no gunicorn, no nginx, no
sockets of the client's — a way to weigh one change of the request path in seconds,
with far less noise than wrk on a shared machine.
"""
from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import pstats
import statistics
import sys
import time
from typing import Any, Callable

from bench.lib.stack import bench_stack, logged_in_cookie
from bench.login import PASSWORD, create_account


def environ_for(path: str, cookie: str, host: str = "localhost") -> dict[str, Any]:
    """The WSGI environ of ``GET path`` as gunicorn hands it over behind nginx (the
    headers nginx adds: ``X-Real-IP``, ``X-Request-Id``)."""
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": host, "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "RAW_URI": path,
        "HTTP_HOST": host, "HTTP_COOKIE": cookie, "HTTP_X_REAL_IP": "127.0.0.1",
        "HTTP_X_REQUEST_ID": "0123456789abcdef0123456789abcdef", "HTTP_ACCEPT": "application/json",
        "HTTP_USER_AGENT": "bench", "HTTP_CONNECTION": "close",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def requester(app: Callable, environ: dict[str, Any]) -> Callable[[], str]:
    """A function that sends one request through ``app`` and returns its status line."""
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status[:] = [line]

    def one() -> str:
        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(b"")
        body = app(env, start_response)
        try:
            for _ in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close:
                close()
        return status[0]

    return one


def timed_batches(one: Callable[[], str], n: int, repeat: int, status: str = "200") -> tuple[list[float], list[float]]:
    """CPU and wall µs per request of ``repeat`` batches of ``n`` calls of ``one``.
    Raises RuntimeError when an answer's status is not ``status``."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            line = one()
            if not line.startswith(status):
                raise RuntimeError(f"answer {line}")
        cpu.append(1e6 * (time.process_time() - c0) / n)
        wall.append(1e6 * (time.perf_counter() - w0) / n)
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--service", default="personal_data")
    parser.add_argument("--path", default="/api/personal-data/user")
    parser.add_argument("-n", type=int, default=2000, help="requests per batch")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one batch, print the top")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--cookie", help="a session cookie name=value (default: sign up and log in)")
    parser.add_argument("--status", default="200", help="the status every answer must have")
    args = parser.parse_args()
    stack = bench_stack()
    cookie = args.cookie or logged_in_cookie(stack.base_url, create_account(stack.base_url, stack.mail_dir),
                                             PASSWORD)[0]
    app = importlib.import_module(f"services.{args.service}.app").create_app()
    hello = importlib.import_module("bench.lib.hello").app
    rows = {"hello": requester(hello, environ_for(args.path, cookie)),
            args.service: requester(app, environ_for(args.path, cookie))}
    expected = {"hello": "200", args.service: args.status}
    for name, one in rows.items():  # warm-up: connections made, caches filled
        timed_batches(one, 200, 1, expected[name])
    for name, one in rows.items():
        cpu, wall = timed_batches(one, args.n, args.repeat, expected[name])
        print(f"{name:14} CPU µs/request best {min(cpu):7.1f} median {statistics.median(cpu):7.1f}   "
              f"wall µs best {min(wall):7.1f} median {statistics.median(wall):7.1f}", flush=True)
    if args.profile:
        profiler = cProfile.Profile()
        one = rows[args.service]
        profiler.enable()
        for _ in range(args.n):
            one()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
