"""Accounts and sessions on the stack under test, for the bench scripts."""
from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devstack.topology import Stack, get_stack  # noqa: E402


def bench_stack() -> Stack:
    """The stack ``$TESSERA_STACK`` names (the runner sets it), with ``TESSERA_ETCD`` set."""
    stack = get_stack()
    os.environ.setdefault("TESSERA_ETCD", stack.etcd_address)
    return stack


def anonymous_session(base: str, http: requests.Session | None = None) -> tuple[str, str]:
    """A new anonymous session: (its cookie ``name=value``, its CSRF token), from
    ``GET /api/jsconfig/config``. Raises RuntimeError on a wrong answer."""
    http = http or requests.Session()
    http.cookies.clear()
    r = http.get(f"{base}/api/jsconfig/config", timeout=30)
    if r.status_code != 200:
        raise RuntimeError(f"GET /api/jsconfig/config answered {r.status_code}")
    token = r.json()["payload"]["csrf_token"]
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return cookie, token


def logged_in_cookie(base: str, address: str, password: str) -> tuple[str, str]:
    """Log ``address`` in; return (the session's cookie ``name=value``, its CSRF token)."""
    http = requests.Session()
    _, token = anonymous_session(base, http)
    r = http.post(f"{base}/api/authn/login", json={"email": address, "password": password},
                  headers={"X-CSRF-Token": token}, timeout=30)
    if r.status_code != 200 or not r.json()["payload"].get("logged_in", True):
        raise RuntimeError(f"login answered {r.status_code} {r.text[:200]}")
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return cookie, r.json()["payload"]["csrf_token"]


def median(values: list[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)
